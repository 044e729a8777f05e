using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using FanOut.Benchmarks;
using FanOut.LocalHost.Hosting;

// Usage: dotnet run -c Release --project FanOut.Benchmarks -- [--chunks 10000] [--storage-chunks 3000] [--rounds 5] [--warmup 5] [--concurrency 32] [--starts 5] [--out file.md]
//        dotnet run -c Release --project FanOut.Benchmarks -- --scan 1073741824 [--rounds 5]   (the planner's scan vs wc -l)
//        dotnet run -c Release --project FanOut.Benchmarks -- --wordcount 1073741824 [--chunk-bytes 16777216] [--concurrency 4] [--rounds 3] [--processor count]
//        dotnet run -c Release --project FanOut.Benchmarks -- --read-paths 1073741824 [--rounds 3]   (the SDK's buffered stream vs the chunk workers' read path)
//        dotnet run -c Release --project FanOut.Benchmarks -- --processors 1073741824 [--rounds 3] [--distinct 1000000]   (wordcount vs wc -w, partials, allocations; --wordcount-only 268435456 [--rounds 10] to profile)
//        dotnet run -c Release --project FanOut.Benchmarks -- --scale 1000,10000,100000 [--concurrency 32] [--rounds 1] [--widths 250 --width-chunks 10000]
//        dotnet run -c Release --project FanOut.Benchmarks -- --cluster 20000 [--instances 1,2,4] [--rounds 3] [--concurrency N] [--app DIR]   (one job through LocalHost clusters: rate, CPU and storage operations per chunk)
//        dotnet run -c Release --project FanOut.Benchmarks -- --status 1000,10000,100000   (GET of a job's status, running and finished)
//        dotnet run -c Release --project FanOut.Benchmarks -- --fingerprint 1000000 [--rounds 5]   (a job's fingerprint over a million inline items)
//        dotnet run -c Release --project FanOut.Benchmarks -- --store-growth 500000 [--concurrency 32]   (a commit's cost to the in-memory Azurite as its store grows, with and without build/azurite-preload.js's indices)
var settings = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0].TrimStart('-'), p => p[1]);
if (settings.TryGetValue("scale", out var scaleSizes))
{
    var scaleReport = await ScaleBenchmark.RunAsync(
        [.. scaleSizes.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))],
        int.Parse(settings.GetValueOrDefault("concurrency", "32"), CultureInfo.InvariantCulture),
        int.Parse(settings.GetValueOrDefault("rounds", "1"), CultureInfo.InvariantCulture),
        [.. settings.GetValueOrDefault("widths", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))],
        int.Parse(settings.GetValueOrDefault("width-chunks", "10000"), CultureInfo.InvariantCulture));
    Console.WriteLine(scaleReport);
    if (settings.TryGetValue("out", out var scaleOut))
    {
        await File.WriteAllTextAsync(scaleOut, scaleReport);
    }
    return;
}
if (settings.TryGetValue("cluster", out var clusterChunks))
{
    var clusterReport = await ClusterBenchmark.RunAsync(
        int.Parse(clusterChunks, CultureInfo.InvariantCulture),
        [.. settings.GetValueOrDefault("instances", "1,2,4").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))],
        int.Parse(settings.GetValueOrDefault("rounds", "3"), CultureInfo.InvariantCulture),
        settings.TryGetValue("concurrency", out var clusterConcurrency) ? int.Parse(clusterConcurrency, CultureInfo.InvariantCulture) : null,
        settings.GetValueOrDefault("app"));
    Console.WriteLine(clusterReport);
    if (settings.TryGetValue("out", out var clusterOut))
    {
        await File.WriteAllTextAsync(clusterOut, clusterReport);
    }
    return;
}
if (settings.TryGetValue("store-growth", out var growthBlobs))
{
    var growthReport = await StoreGrowthBenchmark.RunAsync(
        int.Parse(growthBlobs, CultureInfo.InvariantCulture),
        int.Parse(settings.GetValueOrDefault("concurrency", "32"), CultureInfo.InvariantCulture));
    Console.WriteLine(growthReport);
    if (settings.TryGetValue("out", out var growthOut))
    {
        await File.WriteAllTextAsync(growthOut, growthReport);
    }
    return;
}
if (settings.TryGetValue("status", out var statusSizes))
{
    var statusReport = await StatusBenchmark.RunAsync([.. statusSizes.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]);
    Console.WriteLine(statusReport);
    if (settings.TryGetValue("out", out var statusOut))
    {
        await File.WriteAllTextAsync(statusOut, statusReport);
    }
    return;
}
if (settings.TryGetValue("read-paths", out var readPathBytes))
{
    var readPathReport = await ReadPathBenchmark.RunAsync(
        long.Parse(readPathBytes, CultureInfo.InvariantCulture),
        long.Parse(settings.GetValueOrDefault("chunk-bytes", "16777216"), CultureInfo.InvariantCulture),
        int.Parse(settings.GetValueOrDefault("concurrency", "4"), CultureInfo.InvariantCulture),
        int.Parse(settings.GetValueOrDefault("rounds", "3"), CultureInfo.InvariantCulture));
    Console.WriteLine(readPathReport);
    return;
}
if (settings.TryGetValue("wordcount", out var wordcountBytes))
{
    var wordcountReport = await WordcountBenchmark.RunAsync(
        long.Parse(wordcountBytes, CultureInfo.InvariantCulture),
        long.Parse(settings.GetValueOrDefault("chunk-bytes", "16777216"), CultureInfo.InvariantCulture),
        int.Parse(settings.GetValueOrDefault("concurrency", "4"), CultureInfo.InvariantCulture),
        int.Parse(settings.GetValueOrDefault("rounds", "3"), CultureInfo.InvariantCulture),
        settings.GetValueOrDefault("processor", "wordcount"));
    Console.WriteLine(wordcountReport);
    if (settings.TryGetValue("out", out var wordcountOut))
    {
        await File.WriteAllTextAsync(wordcountOut, wordcountReport);
    }
    return;
}
if (settings.TryGetValue("wordcount-only", out var onlyBytes))
{
    // wordcount alone over the file, round after round, for a profiler (e.g. perf with DOTNET_PerfMapEnabled=1) to attach to.
    await ProcessorBenchmark.WordcountOnlyAsync(long.Parse(onlyBytes, CultureInfo.InvariantCulture), int.Parse(settings.GetValueOrDefault("rounds", "10"), CultureInfo.InvariantCulture));
    return;
}
if (settings.TryGetValue("processors", out var processorBytes))
{
    var processorReport = await ProcessorBenchmark.RunAsync(long.Parse(processorBytes, CultureInfo.InvariantCulture),
        int.Parse(settings.GetValueOrDefault("rounds", "3"), CultureInfo.InvariantCulture),
        int.Parse(settings.GetValueOrDefault("distinct", "1000000"), CultureInfo.InvariantCulture));
    Console.WriteLine(processorReport);
    if (settings.TryGetValue("out", out var processorOut))
    {
        await File.WriteAllTextAsync(processorOut, processorReport);
    }
    return;
}
if (settings.TryGetValue("fingerprint", out var fingerprintItems))
{
    Console.WriteLine(FingerprintBenchmark.Run(
        int.Parse(fingerprintItems, CultureInfo.InvariantCulture), int.Parse(settings.GetValueOrDefault("rounds", "5"), CultureInfo.InvariantCulture)));
    return;
}
if (settings.TryGetValue("scan", out var scanBytes))
{
    var scanReport = await ScanBenchmark.RunAsync(long.Parse(scanBytes, CultureInfo.InvariantCulture), int.Parse(settings.GetValueOrDefault("rounds", "5"), CultureInfo.InvariantCulture));
    Console.WriteLine(scanReport);
    if (settings.TryGetValue("out", out var scanOut))
    {
        await File.WriteAllTextAsync(scanOut, scanReport);
    }
    return;
}
int Setting(string name, int fallback) => int.Parse(settings.GetValueOrDefault(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var chunks = Setting("chunks", 10_000);
var storageChunks = Setting("storage-chunks", 3_000);
var rounds = Setting("rounds", 5);
var warmUps = Setting("warmup", 5);
var concurrency = Setting("concurrency", 32);
var starts = Setting("starts", 5);

await using var host = await BenchHost.StartAsync(concurrency);
var http = new List<RunResult>();
var httpAdapter = new List<RunResult>();
var httpWorker = new List<RunResult>();
var storage = new List<RunResult>();
var fanOutAdapter = new List<RunResult>();
var fanOutWorker = new List<RunResult>();
// Warm-up rounds first, not reported: rates climb for several rounds on 2 cores while tiered compilation
// (with dynamic PGO) recompiles the hot paths in the background, in this process and in the worker. Then the
// measurements alternate, so that all of them see the same machine.
for (var round = 1 - warmUps; round <= rounds; round++)
{
    var h = await host.CeilingAsync(chunks);
    // Which of the two hosts goes first alternates.
    RunResult ha, hw;
    if (round % 2 == 0)
    {
        ha = await host.HttpFanOutAsync(chunks);
        hw = await host.WorkerHttpFanOutAsync(chunks);
    }
    else
    {
        hw = await host.WorkerHttpFanOutAsync(chunks);
        ha = await host.HttpFanOutAsync(chunks);
    }
    await host.ResetStorageAsync();
    // The three storage-bound runs take turns going first, so none always meets the fuller store.
    var storageRuns = new Func<Task<RunResult>>[]
    {
        () => host.StorageCeilingAsync(storageChunks),
        () => host.FanOutAsync(storageChunks),
        () => host.WorkerFanOutAsync(storageChunks),
    };
    var results = new RunResult[storageRuns.Length];
    for (var i = 0; i < storageRuns.Length; i++)
    {
        var which = (i + round + storageRuns.Length * warmUps) % storageRuns.Length;
        results[which] = await storageRuns[which]();
    }
    var (s, fa, fw) = (results[0], results[1], results[2]);
    Console.Error.WriteLine($"{(round < 1 ? "warm-up" : "round")} {round}: HTTP ceiling {h.ChunksPerSecond:F0}/s, HTTP fan-out real worker {hw.ChunksPerSecond:F0}/s, "
                            + $"adapter {ha.ChunksPerSecond:F0}/s; storage ceiling {s.ChunksPerSecond:F0}/s, fan-out real worker {fw.ChunksPerSecond:F0}/s, adapter {fa.ChunksPerSecond:F0}/s");
    if (round >= 1)
    {
        (http, httpAdapter, httpWorker) = ([.. http, h], [.. httpAdapter, ha], [.. httpWorker, hw]);
        (storage, fanOutAdapter, fanOutWorker) = ([.. storage, s], [.. fanOutAdapter, fa], [.. fanOutWorker, fw]);
    }
}

// LocalHost as its own process: start to first 200, and the memory of host and worker after a job.
var startup = starts > 0 ? await StartupBenchmark.RunAsync(host.StorageConnectionString, starts, storageChunks, concurrency) : null;

var report = Report();
Console.WriteLine(report);
if (settings.TryGetValue("out", out var path))
{
    await File.WriteAllTextAsync(path, report);
}

string Report()
{
    var text = new StringBuilder();
    text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Cpu()}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    text.AppendLine(CultureInfo.InvariantCulture, $"Runs: {rounds} measured rounds (after {warmUps} warm-up rounds), concurrency {concurrency}; each round: the HTTP ceiling, then the HTTP fan-out over {chunks} chunks through the real worker and through the adapter (in alternating order), then, on an emptied Azurite, the storage ceiling and the fan-out through each host over {storageChunks} chunks each (taking turns to go first); medians of the rounds.");
    text.AppendLine();
    text.AppendLine("| measurement | chunks/s (median) | p50 ms | p99 ms | rounds (chunks/s) |");
    text.AppendLine("|---|---:|---:|---:|---|");
    text.AppendLine(Row("HTTP ceiling: trivial POSTs, same client stack, the adapter's Kestrel", http));
    text.AppendLine(Row("HTTP fan-out, real worker: the dispatcher's process_chunk calls, no ledger", httpWorker));
    text.AppendLine(Row("HTTP fan-out, adapter: the same calls, no ledger", httpAdapter));
    text.AppendLine(Row("storage ceiling: chunk commits (If-None-Match PUT) to the same Azurite", storage));
    text.AppendLine(Row("fan-out, real worker: start_fanout, `count`, one-item chunks, ledger on", fanOutWorker));
    text.AppendLine(Row("fan-out, adapter: the same job", fanOutAdapter));
    text.AppendLine();
    text.AppendLine(Ratio("HTTP fan-out, real worker / HTTP ceiling", httpWorker, http, "Goal (issue 10): at least 0.50."));
    text.AppendLine();
    text.AppendLine(Ratio("HTTP fan-out, adapter / HTTP ceiling", httpAdapter, http, "Goal (issue 2): at least 0.50, aim 0.67."));
    text.AppendLine();
    text.AppendLine(Ratio("HTTP fan-out, real worker / adapter", httpWorker, httpAdapter, "For information: the cost of the host-worker hop."));
    text.AppendLine();
    text.AppendLine(Ratio("Fan-out, real worker / storage ceiling", fanOutWorker, storage, "Goal (issue 3): at least 0.75."));
    text.AppendLine();
    text.AppendLine(Ratio("Fan-out, adapter / storage ceiling", fanOutAdapter, storage, "For information."));
    text.AppendLine();
    text.AppendLine(Ratio("Fan-out, real worker / HTTP ceiling", fanOutWorker, http, "For information: with the ledger on, storage is the bound."));
    if (startup is not null)
    {
        text.AppendLine();
        text.AppendLine(StartupBenchmark.Report(startup, concurrency));
    }
    return text.ToString();
}

static string Ratio(string name, List<RunResult> of, List<RunResult> to, string goal)
{
    var ratios = to.Zip(of, (x, y) => y.ChunksPerSecond / x.ChunksPerSecond).ToList();
    var medians = RunResult.Median(of.Select(r => r.ChunksPerSecond)) / RunResult.Median(to.Select(r => r.ChunksPerSecond));
    return string.Create(CultureInfo.InvariantCulture,
        $"**{name}: {medians:F2}** (ratio of the medians; median of the per-round ratios {RunResult.Median(ratios):F2}, range {ratios.Min():F2}..{ratios.Max():F2}). {goal}");
}

// Latencies are recorded by the benchmark's clients; a job's own self-calls inside the worker process are not (n/a).
static string Row(string name, List<RunResult> runs) => string.Create(CultureInfo.InvariantCulture,
    $"| {name} | {RunResult.Median(runs.Select(r => r.ChunksPerSecond)):F0} | {Ms(runs.Select(r => r.P50))} | {Ms(runs.Select(r => r.P99))} | {string.Join(", ", runs.Select(r => r.ChunksPerSecond.ToString("F0", CultureInfo.InvariantCulture)))} |");

static string Ms(IEnumerable<double> values) =>
    values.Any(double.IsNaN) ? "n/a" : RunResult.Median(values).ToString("F2", CultureInfo.InvariantCulture);

static string Cpu() =>
    File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";
