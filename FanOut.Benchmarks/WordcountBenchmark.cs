using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using FanOut.Core.Contracts;
using FanOut.Core.Processing;
using FanOut.Core.Sources;
using FanOut.LocalHost.Hosting;

namespace FanOut.Benchmarks;

/// <summary>wordcount over a large text blob in Azurite: the fan-out (LocalHost as its own process, running the real
/// worker, FanOut.Functions.dll, as its child process) against a sequential run of the same processor code over the
/// same blob in one process, alternating; and the peak resident memory (VmHWM) of the host and of the worker over
/// the fan-outs.</summary>
internal static class WordcountBenchmark
{
    public static async Task<string> RunAsync(long sizeBytes, long chunkBytes, int concurrency, int rounds, string processor = "wordcount")
    {
        var file = await ScanBenchmark.EnsureTextFileAsync(sizeBytes);
        await using var azurite = await AzuriteProcess.StartAsync();
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("inputs");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("big.txt");
        Console.Error.WriteLine($"uploading {sizeBytes:N0} bytes to Azurite...");
        await blob.UploadAsync(file, overwrite: true);

        var log = Path.Combine(Path.GetTempPath(), "fanout-bench-localhost.log");
        await using var host = await LocalHostProcess.StartAsync(log, new Dictionary<string, string>
        {
            ["FanOut__Storage__ConnectionString"] = azurite.ConnectionString,
            ["FanOut__Storage__InputContainers"] = "inputs",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        using var http = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromMinutes(10) };

        var sequential = new List<double>();
        var fanOut = new List<double>();
        var ceiling = new List<double>();
        double hostPeak = 0, workerPeak = 0;
        // CPU seconds of each run: [run][benchmark process, host, worker, Azurite] per round.
        var azuriteNode = ProcessCpu.Descendants("node");
        int[] pids = [Environment.ProcessId, host.Id, host.WorkerId, .. azuriteNode];
        var cpu = new[] { new List<double[]>(), new List<double[]>() };
        for (var round = 0; round <= rounds; round++)
        {
            // The ceiling and the fan-out take turns going first; the sequential run comes last.
            double c = 0, f = 0;
            long fanTotal = 0;
            for (var turn = 0; turn < 2; turn++)
            {
                var before = ProcessCpu.Seconds(pids);
                if ((turn + round) % 2 == 0)
                {
                    c = await RangedReadCeiling.RunAsync(blob, chunkBytes, concurrency);
                    if (round > 0)
                    {
                        cpu[0].Add(Used(before, ProcessCpu.Seconds(pids)));
                    }
                    continue;
                }
                await using var peaks = ProcessPeaks.Start(host.Id, host.WorkerId);
                (f, fanTotal) = await FanOutAsync(http, chunkBytes, concurrency, processor);
                await peaks.DisposeAsync();
                if (round > 0)
                {
                    cpu[1].Add(Used(before, ProcessCpu.Seconds(pids)));
                }
                if (round > 0)
                {
                    (hostPeak, workerPeak) = (Math.Max(hostPeak, peaks.RssMiB[0]), Math.Max(workerPeak, peaks.RssMiB[1]));
                }
            }
            var (s, total) = await SequentialAsync(blob, processor);
            if (total != fanTotal)
            {
                throw new InvalidOperationException($"the fan-out counted {fanTotal} words, the sequential run {total}");
            }
            Console.Error.WriteLine($"{(round == 0 ? "warm-up" : $"round {round}")}: ranged-read ceiling {c:F1} s, fan-out {f:F1} s, sequential {s:F1} s ({total:N0} words)");
            if (round > 0)
            {
                sequential.Add(s);
                fanOut.Add(f);
                ceiling.Add(c);
            }
        }
        var (hostMiB, workerMiB) = (ProcessMemory.PeakResidentMiB(host.Id), ProcessMemory.PeakResidentMiB(host.WorkerId));

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Blob: {sizeBytes:N0} bytes of text lines in Azurite; fan-out with chunkBytes {chunkBytes:N0} ({(sizeBytes + chunkBytes - 1) / chunkBytes} chunks), maxConcurrency {concurrency}; the ranged-read ceiling reads the same ranges, {concurrency} at a time; {rounds} rounds after one warm-up round, the ceiling and the fan-out taking turns to go first, then the sequential run.");
        text.AppendLine();
        text.AppendLine("| run | seconds (median) | MB/s | rounds (s) |");
        text.AppendLine("|---|---:|---:|---|");
        text.AppendLine(Row($"sequential: the same {processor} processor over the blob as one streamed GET, one process, one thread", sequential, sizeBytes));
        text.AppendLine(Row("fan-out: start_fanout through LocalHost (its own process, the real worker behind it) and Azurite", fanOut, sizeBytes));
        text.AppendLine(Row("ranged-read ceiling: the chunks' byte ranges read from Azurite, as a chunk reads them, no processing", ceiling, sizeBytes));
        text.AppendLine();
        var ratios = fanOut.Zip(ceiling, (f, c) => (c / f).ToString("F2", CultureInfo.InvariantCulture));
        text.AppendLine(CultureInfo.InvariantCulture, $"**Fan-out / ranged-read ceiling: {RunResult.Median(ceiling) / RunResult.Median(fanOut):F2}** (rate over rate, medians; per round {string.Join(", ", ratios)}). Goal: at least 0.8.");
        text.AppendLine();
        text.AppendLine("| CPU seconds (median) | benchmark process | host | worker | Azurite (node) |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        text.AppendLine(CpuRow("ranged-read ceiling", cpu[0]));
        text.AppendLine(CpuRow("fan-out", cpu[1]));
        text.AppendLine();
        // The CPU bound: the CPU seconds every process spent on a fan-out, spread over all the machine's cores; no run of
        // that work can take less time here.
        var bound = cpu[1].Select(r => r.Sum() / Environment.ProcessorCount).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"**CPU bound / fan-out: {RunResult.Median(bound) / RunResult.Median(fanOut):F2}**: the fan-out's CPU seconds, all processes, over {Environment.ProcessorCount} cores take {RunResult.Median(bound):F2} s (median), the fan-out {RunResult.Median(fanOut):F2} s. Near 1, the cores were busy all along: the run is bound by CPU, not by waiting on storage or on calls.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"**Peak resident memory during the fan-outs (VmRSS sampled every 200 ms): host (FanOut.LocalHost) {hostPeak:F0} MiB, worker (FanOut.Functions, where the chunks run) {workerPeak:F0} MiB.** Goal: host under 300 MiB.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"**Speedup: {RunResult.Median(sequential) / RunResult.Median(fanOut):F2}** (sequential / fan-out, medians). Goal: at least 1.5 on 2 cores.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Peak resident memory over the whole run: worker (FanOut.Functions, where the chunks run) {workerMiB:F0} MiB, host (FanOut.LocalHost) {hostMiB:F0} MiB (VmHWM, warm-up included; together {hostMiB + workerMiB:F0} MiB).");
        return text.ToString();
    }

    private static async Task<(double Seconds, long Words)> SequentialAsync(BlobClient blob, string name)
    {
        IChunkProcessor processor = name == "count" ? new CountProcessor() : new WordCountProcessor();
        var started = Stopwatch.GetTimestamp();
        var accumulator = processor.Begin(default, RecordSink.Discard);
        var properties = (await blob.GetPropertiesAsync()).Value;
        var whole = new SourceReference { Container = blob.BlobContainerName, Blob = blob.Name, Format = SourceFormat.Lines, ETag = properties.ETag.ToString() };
        await using (var stream = await RangedReadCeiling.SourcesOf(blob).OpenReadAsync(whole, 0, CancellationToken.None))
        {
            await ChunkLines.ReadAsync(stream, properties.ContentLength, accumulator);
        }
        var result = processor.Finish(processor.Merge([accumulator.Complete()], default), default);
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, result.GetProperty(TotalOf(name)).GetInt64());
    }

    // What the run counts: wordcount's words, count's records.
    private static string TotalOf(string processor) => processor == "count" ? "records" : "total";

    private static async Task<(double Seconds, long Words)> FanOutAsync(HttpClient http, long chunkBytes, int concurrency, string processor)
    {
        var job = new JsonObject
        {
            ["action"] = "start_fanout", ["processor"] = processor, ["chunkBytes"] = chunkBytes, ["maxConcurrency"] = concurrency,
            ["waitSeconds"] = 200, ["source"] = new JsonObject { ["container"] = "inputs", ["blob"] = "big.txt" },
        };
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsJsonAsync("api/batch", job);
        var body = await response.Content.ReadAsStringAsync();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        using var result = JsonDocument.Parse(body);
        if (!response.IsSuccessStatusCode || result.RootElement.GetProperty("status").GetString() != "Succeeded")
        {
            throw new InvalidOperationException($"fan-out did not succeed: {body[..Math.Min(500, body.Length)]}");
        }
        return (seconds, result.RootElement.GetProperty("result").GetProperty(TotalOf(processor)).GetInt64());
    }

    // Per process: the sum over Azurite's node processes, if it has several.
    private static double[] Used(double[] before, double[] after) =>
        [.. after.Zip(before, (a, b) => a - b).Take(3), after.Skip(3).Zip(before.Skip(3), (a, b) => a - b).Sum()];

    private static string CpuRow(string name, List<double[]> rounds) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {string.Join(" | ", Enumerable.Range(0, 4).Select(i => RunResult.Median(rounds.Select(r => r[i])).ToString("F1", CultureInfo.InvariantCulture)))} |");

    private static string Row(string name, List<double> seconds, long bytes) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {RunResult.Median(seconds):F1} | {bytes / RunResult.Median(seconds) / 1e6:F0} | {string.Join(", ", seconds.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))} |");
}
