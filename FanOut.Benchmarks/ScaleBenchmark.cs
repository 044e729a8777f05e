using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.LocalHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FanOut.Benchmarks;

/// <summary>Chunk rate of whole jobs through the dispatch tree at several sizes (one-item chunks of
/// <c>count</c>, so the per-chunk cost of dispatching and committing is what is measured), each job on an
/// emptied in-memory Azurite, through LocalHost's real worker (its front in this process, FanOut.Functions.dll
/// as its own process); and the time from start_fanout to the first process_chunk reaching the front.</summary>
internal static class ScaleBenchmark
{
    /// <param name="sizes">Job sizes in chunks, at FanoutWidth 100.</param>
    /// <param name="concurrency">maxConcurrency of the jobs.</param>
    /// <param name="rounds">Measured rounds, after one warm-up job.</param>
    /// <param name="widths">Other FanoutWidths to compare with 100 at <paramref name="widthSize"/> chunks, alternating.</param>
    /// <param name="widthSize">The job size of that comparison.</param>
    public static async Task<string> RunAsync(IReadOnlyList<int> sizes, int concurrency, int rounds, IReadOnlyList<int> widths, int widthSize)
    {
        var results = sizes.ToDictionary(size => size, _ => new List<(double Rate, double FirstChunkMs, int Levels, int Dispatchers)>());
        var byWidth = widths.Prepend(100).Distinct().ToDictionary(width => width, _ => new List<(double Rate, double FirstChunkMs, int Levels, int Dispatchers)>());
        // One Azurite, in memory, emptied (restarted on its port) before each job; one host and worker per
        // FanoutWidth (an app setting), kept for all its jobs, so that its warm-up job warms the worker.
        await using var azurite = await AzuriteProcess.StartAsync(inMemory: true);
        var hosts = new Dictionary<int, ScaleHost>();
        try
        {
            foreach (var width in byWidth.Keys)
            {
                hosts[width] = await ScaleHost.StartAsync(azurite, width);
                var warm = await hosts[width].RunJobAsync(sizes[0], concurrency);
                Console.Error.WriteLine($"warm-up at width {width} (worker pid {hosts[width].WorkerId}): {sizes[0]:N0} chunks at {warm.Rate:F0}/s, "
                                        + $"first chunk after {warm.FirstChunkMs:F0} ms, {warm.Levels} levels, {warm.Dispatchers} dispatchers");
            }
            await MeasureAsync(hosts, results, byWidth, sizes, concurrency, rounds, widthSize);
        }
        finally
        {
            foreach (var host in hosts.Values)
            {
                await host.DisposeAsync();
            }
        }
        return Report(results, byWidth, sizes, concurrency, rounds, widthSize);
    }

    private static async Task MeasureAsync(
        Dictionary<int, ScaleHost> hosts,
        Dictionary<int, List<(double Rate, double FirstChunkMs, int Levels, int Dispatchers)>> results,
        Dictionary<int, List<(double Rate, double FirstChunkMs, int Levels, int Dispatchers)>> byWidth,
        IReadOnlyList<int> sizes, int concurrency, int rounds, int widthSize)
    {
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var size in sizes)
            {
                var run = await hosts[100].RunJobAsync(size, concurrency);
                var peaks = hosts[100].LastPeaks;
                Console.Error.WriteLine($"round {round}: {size:N0} chunks at {run.Rate:F0}/s, "
                                        + $"first chunk after {run.FirstChunkMs:F0} ms, {run.Levels} levels, {run.Dispatchers} dispatchers; "
                                        + $"peak RSS host {peaks.HostRssMiB:F0} MiB, worker {peaks.WorkerRssMiB:F0} MiB; peak open files host {peaks.HostFds}, worker {peaks.WorkerFds}");
                results[size].Add(run);
            }
            foreach (var width in byWidth.Count == 1 ? [] : (round % 2 == 0 ? byWidth.Keys.Reverse() : byWidth.Keys))
            {
                var run = await hosts[width].RunJobAsync(widthSize, concurrency);
                Console.Error.WriteLine($"round {round}: {widthSize:N0} chunks at width {width}: {run.Rate:F0}/s, {run.Dispatchers} dispatchers");
                byWidth[width].Add(run);
            }
        }
    }

    private static string Report(
        Dictionary<int, List<(double Rate, double FirstChunkMs, int Levels, int Dispatchers)>> results,
        Dictionary<int, List<(double Rate, double FirstChunkMs, int Levels, int Dispatchers)>> byWidth,
        IReadOnlyList<int> sizes, int concurrency, int rounds, int widthSize)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"One-item `count` chunks, maxConcurrency {concurrency} for the job, FanoutWidth 100; each job on an emptied in-memory Azurite, through LocalHost's real worker (FanOut.Functions.dll as its own process); {rounds} round(s) after a warm-up job.");
        text.AppendLine();
        text.AppendLine("| chunks | chunks/s (median) | per chunk (ms of wall time) | first chunk after (ms, median) | levels | dispatchers |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var rate = Median(results[size].Select(r => r.Rate));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {size:N0} | {rate:F0} | {1000 / rate:F2} | {Median(results[size].Select(r => r.FirstChunkMs)):F0} | {results[size][0].Levels} | {results[size][0].Dispatchers} |");
        }
        if (byWidth.Count > 1)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"FanoutWidth at {widthSize:N0} chunks, alternating in each round:");
            text.AppendLine();
            text.AppendLine("| FanoutWidth | chunks/s (median) | first chunk after (ms, median) | levels | dispatchers |");
            text.AppendLine("|---:|---:|---:|---:|---:|");
            foreach (var (width, runs) in byWidth)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {width} | {Median(runs.Select(r => r.Rate)):F0} | {Median(runs.Select(r => r.FirstChunkMs)):F0} | {runs[0].Levels} | {runs[0].Dispatchers} |");
            }
        }
        if (sizes.Count >= 2)
        {
            var (last, before) = (Median(results[sizes[^1]].Select(r => r.Rate)), Median(results[sizes[^2]].Select(r => r.Rate)));
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Rate at {sizes[^1]:N0} over rate at {sizes[^2]:N0}: {last / before:F2} (flat per-chunk cost: within 0.8 to 1.2).");
        }
        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>LocalHost's real worker at one FanoutWidth, on the benchmark's Azurite, with a middleware in its front
/// (before a request goes to the worker) that notes the first process_chunk of a job and counts its dispatch calls.</summary>
internal sealed class ScaleHost(RealWorker worker, HttpClient http, AzuriteProcess azurite, ScaleHost.Probe probe) : IAsyncDisposable
{
    private bool _fresh = true;

    public int WorkerId => worker.WorkerId;

    /// <summary>Peak resident memory (MiB) and open descriptors of the host (this process) and the worker during the last job.</summary>
    public (double HostRssMiB, double WorkerRssMiB, int HostFds, int WorkerFds) LastPeaks { get; private set; }

    public static async Task<ScaleHost> StartAsync(AzuriteProcess azurite, int width)
    {
        var probe = new Probe();
        var worker = await RealWorker.StartAsync(
            new Dictionary<string, string?>
            {
                ["FanOut:Storage:ConnectionString"] = azurite.ConnectionString,
                ["FanOut:Dispatch:HopDeadlineSeconds"] = "229",
                ["FanOut:Dispatch:FanoutWidth"] = width.ToString(CultureInfo.InvariantCulture),
            },
            app => app.Use(async (context, next) =>
            {
                // The first process_chunk to arrive, and how many dispatch calls came: read off the body's start.
                if (HttpMethods.IsPost(context.Request.Method))
                {
                    context.Request.EnableBuffering();
                    var head = new byte[40];
                    var read = await context.Request.Body.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false);
                    context.Request.Body.Position = 0;
                    var start = Encoding.UTF8.GetString(head, 0, read);
                    if (start.Contains("\"process_chunk\"", StringComparison.Ordinal))
                    {
                        Interlocked.CompareExchange(ref probe.FirstChunk, Stopwatch.GetTimestamp(), 0);
                    }
                    else if (start.Contains("\"dispatch\"", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref probe.Dispatchers);
                    }
                }
                await next(context);
            }));
        return new ScaleHost(worker, new HttpClient { BaseAddress = worker.Url, Timeout = TimeSpan.FromMinutes(5) }, azurite, probe);
    }

    /// <summary>The front's client (the job's status is read through it).</summary>
    public HttpClient Http => http;

    /// <summary>Starts a job of <paramref name="chunks"/> one-item chunks, every setting at its default, on an emptied
    /// Azurite, and answers its id at once (waitSeconds 0).</summary>
    public async Task<string> StartJobAsync(int chunks)
    {
        if (!_fresh)
        {
            await azurite.RestartEmptyAsync();
        }
        _fresh = false;
        var jobId = $"status-{chunks}-{Guid.NewGuid():N}"[..40];
        var body = new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkSize"] = 1, ["waitSeconds"] = 0,
            ["items"] = new JsonArray([.. Enumerable.Range(0, chunks).Select(i => JsonValue.Create(i))]),
        };
        using var response = await http.PostAsJsonAsync("api/batch", body);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"start_fanout of {chunks} chunks answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return jobId;
    }

    /// <summary>One job of <paramref name="chunks"/> one-item chunks, on an emptied Azurite.</summary>
    public async Task<(double Rate, double FirstChunkMs, int Levels, int Dispatchers)> RunJobAsync(int chunks, int concurrency)
    {
        // Azurite's per-operation cost grows with the blobs it holds: every job starts on an empty one (in
        // memory, a restart on the same port empties it).
        if (!_fresh)
        {
            await azurite.RestartEmptyAsync();
        }
        _fresh = false;
        (probe.FirstChunk, probe.Dispatchers) = (0, 0);
        var jobId = $"scale-{chunks}-{Guid.NewGuid():N}"[..40];
        var body = new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkSize"] = 1,
            ["maxConcurrency"] = concurrency, ["waitSeconds"] = 200,
            ["items"] = new JsonArray([.. Enumerable.Range(0, chunks).Select(i => JsonValue.Create(i))]),
        };
        var started = Stopwatch.GetTimestamp();
        var peaks = ProcessPeaks.Start(Environment.ProcessId, worker.WorkerId);
        await using var sampling = peaks;
        using var response = await http.PostAsJsonAsync("api/batch", body);
        var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        while (response.StatusCode == HttpStatusCode.Accepted || job.GetProperty("status").GetString() is "Pending" or "Running")
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            job = JsonDocument.Parse(await http.GetStringAsync($"api/batch/{jobId}")).RootElement;
            if (job.GetProperty("status").GetString() is not ("Pending" or "Running"))
            {
                break;
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        await sampling.DisposeAsync();
        LastPeaks = (peaks.RssMiB[0], peaks.RssMiB[1], peaks.Fds[0], peaks.Fds[1]);
        if (job.GetProperty("status").GetString() != "Succeeded" || job.GetProperty("items").GetProperty("processed").GetInt64() != chunks)
        {
            throw new InvalidOperationException($"the job of {chunks} chunks ended {job}");
        }
        return (chunks / elapsed.TotalSeconds, Stopwatch.GetElapsedTime(started, Volatile.Read(ref probe.FirstChunk)).TotalMilliseconds,
            job.GetProperty("dispatchLevels").GetInt32(), Volatile.Read(ref probe.Dispatchers));
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await worker.DisposeAsync();
    }

    /// <summary>What the front's middleware saw of the current job.</summary>
    internal sealed class Probe
    {
        public long FirstChunk;
        public int Dispatchers;
    }
}
