using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using FanOut.Benchmarks;

// Usage: dotnet run -c Release --project FanOut.Benchmarks -- [--chunks 10000] [--rounds 7] [--warmup 8] [--concurrency 32] [--out file.md]
var settings = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
var chunks = int.Parse(settings.GetValueOrDefault("chunks", "10000"), CultureInfo.InvariantCulture);
var rounds = int.Parse(settings.GetValueOrDefault("rounds", "7"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(settings.GetValueOrDefault("concurrency", "32"), CultureInfo.InvariantCulture);

await using var host = await BenchHost.StartAsync(FreePort(), concurrency);
// Warm-up rounds, not reported: rates climb from round to round for about eight rounds on 2 cores, while
// tiered compilation (with dynamic PGO) recompiles the hot paths in the background.
var warmUps = int.Parse(settings.GetValueOrDefault("warmup", "8"), CultureInfo.InvariantCulture);
for (var round = 1; round <= warmUps; round++)
{
    Console.Error.WriteLine($"warm-up {round}: ceiling {(await host.CeilingAsync(chunks)).ChunksPerSecond:F0}/s, fan-out {(await host.FanOutAsync(chunks)).ChunksPerSecond:F0}/s");
}

var ceiling = new List<RunResult>();
var fanOut = new List<RunResult>();
for (var round = 1; round <= rounds; round++)
{
    // Side by side, alternating, so that both see the same machine.
    ceiling.Add(await host.CeilingAsync(chunks));
    fanOut.Add(await host.FanOutAsync(chunks));
    Console.Error.WriteLine($"round {round}: ceiling {ceiling[^1].ChunksPerSecond:F0}/s, fan-out {fanOut[^1].ChunksPerSecond:F0}/s (threads {ThreadPool.ThreadCount}, gen0 GCs {GC.CollectionCount(0)}, gen2 {GC.CollectionCount(2)})");
}

var report = Report(chunks, rounds, concurrency, ceiling, fanOut);
Console.WriteLine(report);
if (settings.TryGetValue("out", out var path))
{
    await File.WriteAllTextAsync(path, report);
}

static string Report(int chunks, int rounds, int concurrency, List<RunResult> ceiling, List<RunResult> fanOut)
{
    var c = RunResult.Median(ceiling.Select(r => r.ChunksPerSecond));
    var f = RunResult.Median(fanOut.Select(r => r.ChunksPerSecond));
    var text = new StringBuilder();
    text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Cpu()}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    text.AppendLine(CultureInfo.InvariantCulture, $"Runs: {rounds} measured rounds (after warm-up) of {chunks} chunks each way, alternating, concurrency {concurrency}; medians of the rounds.");
    text.AppendLine();
    text.AppendLine("| measurement | chunks/s (median) | p50 ms | p99 ms | rounds (chunks/s) |");
    text.AppendLine("|---|---:|---:|---:|---|");
    text.AppendLine(Row("ceiling: trivial POSTs, same client stack and Kestrel", ceiling));
    text.AppendLine(Row("fan-out: start_fanout, `count`, one-item chunks", fanOut));
    text.AppendLine();
    var ratios = ceiling.Zip(fanOut, (x, y) => y.ChunksPerSecond / x.ChunksPerSecond).ToList();
    text.AppendLine(CultureInfo.InvariantCulture, $"**Fan-out / ceiling: {f / c:F2}** (ratio of the medians; median of the per-round ratios {RunResult.Median(ratios):F2}, range {ratios.Min():F2}..{ratios.Max():F2}). Goal: at least 0.50, aim 0.67.");
    return text.ToString();

    static string Row(string name, List<RunResult> runs) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {RunResult.Median(runs.Select(r => r.ChunksPerSecond)):F0} | {RunResult.Median(runs.Select(r => r.P50)):F2} | {RunResult.Median(runs.Select(r => r.P99)):F2} | {string.Join(", ", runs.Select(r => r.ChunksPerSecond.ToString("F0", CultureInfo.InvariantCulture)))} |");
}

static string Cpu() =>
    File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
