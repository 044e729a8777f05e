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

/// <summary>The same job of one-item inline <c>count</c> chunks, on defaults, through LocalHost clusters of several
/// instance counts, side by side in each round: chunks/s, CPU-seconds per chunk of the FanOut processes together (the
/// front, this process, and every instance's worker) and of Azurite, p99 latency of a chunk's call at the front
/// (waiting for a slot included), and storage operations per chunk counted on the wire (Azurite's access log). Each
/// job on an emptied in-memory Azurite.</summary>
internal static class ClusterBenchmark
{
    private static readonly string[] Writes = ["upload", "append", "lease", "delete", "other"];

    /// <param name="maxConcurrency">The job's <c>maxConcurrency</c>; null leaves the default, under which the app sizes
    /// the job's tree to the cluster's slots (more instances, more chunks in flight). A fixed number holds the chunks in
    /// flight equal across the instance counts, so that what changes is only the number of instances.</param>
    /// <param name="app">The function app's build output the instances run (LocalHost's <c>--app</c>); null: the
    /// FanOut.Functions this benchmark was built with. E.g. a ReadyToRun publish, to compare its start-up.</param>
    public static async Task<string> RunAsync(int chunks, IReadOnlyList<int> instanceCounts, int rounds, int? maxConcurrency = null, string? app = null)
    {
        await using var azurite = await AzuriteProcess.StartAsync(inMemory: true, countRequests: true);
        var runs = instanceCounts.ToDictionary(n => n, _ => new List<ClusterRun>());
        for (var round = 0; round <= rounds; round++)
        {
            // Round 0 warms up (JIT, connection pools); the order alternates so that no count always goes first.
            foreach (var instances in round % 2 == 0 ? instanceCounts : instanceCounts.Reverse())
            {
                await azurite.RestartEmptyAsync();
                var run = await RunJobAsync(azurite, instances, round == 0 ? Math.Min(chunks, 2_000) : chunks, maxConcurrency, app);
                Console.Error.WriteLine($"{(round == 0 ? "warm-up" : $"round {round}")}: {instances} instance(s): {run}");
                if (round > 0)
                {
                    runs[instances].Add(run);
                }
            }
        }
        return Report(chunks, rounds, maxConcurrency, runs);
    }

    private static async Task<ClusterRun> RunJobAsync(AzuriteProcess azurite, int instances, int chunks, int? maxConcurrency, string? app)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentQueue<double>();
        // The refused calls the front answered, by status and action (e.g. "503 dispatch"): what made the job pause.
        var refusals = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var cluster = await RealWorker.StartAsync(
            new Dictionary<string, string?> { ["FanOut:Storage:ConnectionString"] = azurite.ConnectionString },
            app => app.Use(async (context, next) =>
            {
                // A process_chunk call, read off the body's start (internal bodies put the action first).
                var chunk = false;
                var action = context.Request.Method;
                if (HttpMethods.IsPost(context.Request.Method))
                {
                    context.Request.EnableBuffering();
                    var head = new byte[40];
                    var read = await context.Request.Body.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false);
                    context.Request.Body.Position = 0;
                    var text = Encoding.UTF8.GetString(head, 0, read);
                    chunk = text.Contains("\"process_chunk\"", StringComparison.Ordinal);
                    var match = System.Text.RegularExpressions.Regex.Match(text, "\"action\":\"(\\w+)\"");
                    action = match.Success ? match.Groups[1].Value : "POST";
                }
                var started = Stopwatch.GetTimestamp();
                await next(context);
                if (chunk)
                {
                    latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                if (context.Response.StatusCode is 429 or 503)
                {
                    refusals.AddOrUpdate($"{context.Response.StatusCode} {action}", 1, (_, n) => n + 1);
                }
            }),
            ["--instances", instances.ToString(CultureInfo.InvariantCulture), .. app is null ? Array.Empty<string>() : ["--app", app]]);
        using var http = new HttpClient { BaseAddress = cluster.Url, Timeout = TimeSpan.FromMinutes(5) };
        var workers = await WorkerPidsAsync(http, cluster.WorkerId);
        // A new instance's first chunks run partly unoptimized code while the runtime tiers it up (ASP.NET Core, gRPC,
        // the Storage SDK, the app: several CPU-seconds per process, paid once per instance as part of its cold start).
        // A job on 4 fresh instances pays it 4 times, which on 20,000 chunks reads as per-chunk cost; so every instance
        // first runs about 2,000 chunks, measured apart as the start-up CPU, and the measured job runs on warm instances
        // (what the runtime still recompiles then is counted: the JIT column).
        var warmCpuBefore = ProcessCpu.Seconds([Environment.ProcessId, .. workers]).Sum();
        var warmChunks = 2_000 * instances;
        await RunToEndAsync(http, instances, warmChunks, maxConcurrency);
        var warmCpu = ProcessCpu.Seconds([Environment.ProcessId, .. workers]).Sum() - warmCpuBefore;
        latencies.Clear();
        var storageBefore = azurite.Requests!.Snapshot();
        var cpuBefore = ProcessCpu.Seconds([Environment.ProcessId, .. workers, azurite.ProcessId]);
        var switchesBefore = ProcessCpu.Switches([Environment.ProcessId, .. workers]);
        var jitBefore = ProcessCpu.ThreadSeconds(".NET Tiered Com", [Environment.ProcessId, .. workers]);
        var peaks = ProcessPeaks.Start([.. workers]);
        var started = Stopwatch.GetTimestamp();
        refusals.Clear();
        using var measuring = new CancellationTokenSource();
        var reporting = ReportRefusalsAsync(refusals, measuring.Token);
        await RunToEndAsync(http, instances, chunks, maxConcurrency);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await measuring.CancelAsync();
        await reporting;
        await peaks.DisposeAsync();
        var cpu = ProcessCpu.Seconds([Environment.ProcessId, .. workers, azurite.ProcessId]).Zip(cpuBefore, (after, before) => after - before).ToArray();
        var switches = ProcessCpu.Switches([Environment.ProcessId, .. workers]);
        var jit = ProcessCpu.ThreadSeconds(".NET Tiered Com", [Environment.ProcessId, .. workers]) - jitBefore;
        var storage = azurite.Requests.Snapshot();
        long Delta(string kind) => storage.GetValueOrDefault(kind) - storageBefore.GetValueOrDefault(kind);
        var invocations = await InvocationsAsync(http);
        return new ClusterRun(
            chunks / elapsed.TotalSeconds,
            cpu[..^1].Sum() / chunks,
            cpu[^1] / chunks,
            Percentile([.. latencies], 0.99),
            (double)Delta("read") / chunks,
            (double)Writes.Sum(Delta) / chunks,
            (double)Delta("list") / chunks,
            peaks.RssMiB.DefaultIfEmpty().Max(),
            peaks.Fds.DefaultIfEmpty().Max(),
            invocations,
            // What the warm-up cost beyond the same number of chunks on warm instances, per instance.
            Math.Max(0, warmCpu - warmChunks * cpu[..^1].Sum() / chunks) / instances,
            (double)(switches.Voluntary - switchesBefore.Voluntary) / chunks,
            (double)(switches.Involuntary - switchesBefore.Involuntary) / chunks,
            cpu[0] / chunks,
            jit / chunks);
    }

    // Every 30 s while a measured job runs: the 429s and 503s the front answered so far, by action (stderr).
    private static async Task ReportRefusalsAsync(System.Collections.Concurrent.ConcurrentDictionary<string, int> refusals, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), stop);
                Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} refused so far: {(refusals.IsEmpty ? "none" : string.Join(", ", refusals.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} x{r.Value}")))}");
            }
        }
        catch (OperationCanceledException)
        {
            // The job ended.
        }
    }

    // Starts a job of one-item inline chunks and polls its status to its end; throws unless it Succeeded with every chunk.
    private static async Task RunToEndAsync(HttpClient http, int instances, int chunks, int? maxConcurrency)
    {
        var jobId = $"cluster-{instances}-{Guid.NewGuid():N}"[..40];
        var body = new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkSize"] = 1, ["waitSeconds"] = 0,
            ["items"] = new JsonArray([.. Enumerable.Range(0, chunks).Select(i => JsonValue.Create(i))]),
        };
        if (maxConcurrency is { } concurrency)
        {
            body["maxConcurrency"] = concurrency;
        }
        using (var response = await http.PostAsJsonAsync("api/batch", body))
        {
            if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
            {
                throw new InvalidOperationException($"start_fanout answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        JsonElement job;
        // A status read the app could not answer (storage overloaded, or the read timed out) is tried again a second later;
        // only ten minutes of nothing else gives up.
        var unanswered = 0;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            using var status = await TryGetAsync(http, $"api/batch/{jobId}");
            if (status is not { StatusCode: HttpStatusCode.OK })
            {
                Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} status read answered {(status is null ? "nothing" : ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture))}; trying again");
                if (++unanswered > 600)
                {
                    throw new InvalidOperationException($"the job's status went unanswered for ten minutes");
                }
                continue;
            }
            unanswered = 0;
            job = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
            if (job.GetProperty("status").GetString() is not ("Pending" or "Running"))
            {
                break;
            }
        }
        if (job.GetProperty("status").GetString() != "Succeeded" || job.GetProperty("items").GetProperty("processed").GetInt64() != chunks)
        {
            throw new InvalidOperationException($"the job of {chunks} chunks on {instances} instance(s) ended {job}");
        }
    }

    private static async Task<HttpResponseMessage?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return await http.GetAsync(path);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null; // the client's timeout
        }
    }

    // The instances' worker pids, from the cluster's /admin/instances (a single-worker host has none: its one worker).
    private static async Task<int[]> WorkerPidsAsync(HttpClient http, int worker)
    {
        using var response = await http.GetAsync("admin/instances");
        if (!response.IsSuccessStatusCode)
        {
            return [worker];
        }
        var instances = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("instances");
        return [.. instances.EnumerateArray().Select(i => i.GetProperty("pid").GetInt32())];
    }

    private static async Task<string> InvocationsAsync(HttpClient http)
    {
        using var response = await http.GetAsync("admin/instances");
        if (!response.IsSuccessStatusCode)
        {
            return "-";
        }
        var instances = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("instances");
        return string.Join(" / ", instances.EnumerateArray().Select(i => i.GetProperty("invocations").GetInt64().ToString("N0", CultureInfo.InvariantCulture)));
    }

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        Array.Sort(values);
        return values[Math.Min(values.Length - 1, (int)Math.Ceiling(p * values.Length) - 1)];
    }

    private static string Report(int chunks, int rounds, int? maxConcurrency, Dictionary<int, List<ClusterRun>> runs)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{chunks:N0} one-item inline `count` chunks on {(maxConcurrency is { } c ? $"defaults but `maxConcurrency: {c}`" : "defaults")}, through LocalHost clusters (`--instances N`, 16 slots each); each cluster started fresh, then warmed by a job of 2,000 chunks per instance (its cost beyond the same chunks on warm instances is the start-up column), then the measured job, on one in-memory Azurite emptied before each cluster; medians of {rounds} round(s) after a warm-up, the instance counts side by side in each round.");
        text.AppendLine();
        text.AppendLine("| instances | chunks/s | CPU-s per chunk, FanOut (front + workers) | CPU-s per chunk, Azurite | p99 chunk call at the front (ms) | storage reads / writes / lists per chunk | peak RSS of an instance (MiB) | peak open files of an instance | invocations per instance (last round, warm-up included) | of it, the runtime's background JIT (tier-up) | start-up CPU-s per instance | context switches per chunk, FanOut: voluntary / involuntary |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
        foreach (var (instances, list) in runs)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {instances} | {Median(list.Select(r => r.Rate)):F0} | {Median(list.Select(r => r.FanOutCpu)) * 1000:F2} ms | {Median(list.Select(r => r.AzuriteCpu)) * 1000:F2} ms | {Median(list.Select(r => r.P99Ms)):F0} | "
                + $"{Median(list.Select(r => r.Reads)):F3} / {Median(list.Select(r => r.Writes)):F3} / {Median(list.Select(r => r.Lists)):F4} | {list.Max(r => r.PeakRssMiB):F0} | {list.Max(r => r.PeakFds)} | {list[^1].Invocations} | {Median(list.Select(r => r.JitCpu)) * 1000:F2} ms | {Median(list.Select(r => r.StartCpuPerInstance)):F1} | {Median(list.Select(r => r.VoluntarySwitches)):F1} / {Median(list.Select(r => r.InvoluntarySwitches)):F2} |");
        }
        var cpus = runs.Values.Select(list => Median(list.Select(r => r.FanOutCpu))).ToArray();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"FanOut CPU per chunk, largest over smallest across the instance counts: {cpus.Max() / cpus.Min():F2} (goal: within 1.20).");
        return text.ToString();
    }

    private sealed record ClusterRun(
        double Rate, double FanOutCpu, double AzuriteCpu, double P99Ms, double Reads, double Writes, double Lists, double PeakRssMiB, int PeakFds, string Invocations, double StartCpuPerInstance, double VoluntarySwitches, double InvoluntarySwitches, double FrontCpu, double JitCpu)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Rate:F0} chunks/s, FanOut {FanOutCpu * 1000:F2} ms CPU/chunk ({FrontCpu * 1000:F2} ms of it the front's, {JitCpu * 1000:F2} ms the background JIT's), Azurite {AzuriteCpu * 1000:F2} ms CPU/chunk, p99 {P99Ms:F0} ms, storage {Reads:F3} reads + {Writes:F3} writes + {Lists:F4} lists per chunk, invocations {Invocations}, start-up {StartCpuPerInstance:F1} CPU-s per instance, context switches per chunk {VoluntarySwitches:F1} voluntary + {InvoluntarySwitches:F2} involuntary");
    }
}
