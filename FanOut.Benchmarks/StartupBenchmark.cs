using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using FanOut.LocalHost.Hosting;

namespace FanOut.Benchmarks;

/// <summary>FanOut.LocalHost started as its own process (the real worker behind it), as the demo and a
/// developer start it: the time from starting the process to its ready line and to the first 200 of a request,
/// over several starts; then, on the last one, a fan-out job and the peak resident memory of the host and of
/// the worker process.</summary>
internal static class StartupBenchmark
{
    /// <summary>The result: per start, ms to the ready line and to the first 200; peak memory after the job.</summary>
    public sealed record Result(List<double> ReadyMs, List<double> First200Ms, int JobChunks, double JobRate, double HostPeakMiB, double WorkerPeakMiB);

    public static async Task<Result> RunAsync(string storageConnectionString, int starts, int jobChunks, int concurrency)
    {
        var log = Path.Combine(Path.GetTempPath(), "fanout-bench-localhost.log");
        var environment = new Dictionary<string, string>
        {
            ["FanOut__Storage__ConnectionString"] = storageConnectionString,
            ["FanOut__Dispatch__MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var (ready, first200) = (new List<double>(), new List<double>());
        LocalHostProcess? host = null;
        try
        {
            for (var start = 1; start <= starts; start++)
            {
                if (host is not null)
                {
                    await host.DisposeAsync();
                    host = null;
                }
                var started = Stopwatch.GetTimestamp();
                // Returns at the host's ready line (the worker has loaded its functions), which says where it listens.
                host = await LocalHostProcess.StartAsync(log, environment);
                var readyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                using var http = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromMinutes(1) };
                var first = await First200Async(http, started);
                Console.Error.WriteLine($"start {start}: ready line after {readyMs:F0} ms, first 200 after {first:F0} ms (host pid {host.Id}, worker pid {host.WorkerId})");
                ready.Add(readyMs);
                first200.Add(first);
            }
            using var client = new HttpClient { BaseAddress = host!.Url, Timeout = TimeSpan.FromMinutes(10) };
            var job = await BenchHost.FanOutAsync(client, jobChunks, concurrency);
            Console.Error.WriteLine($"job of {jobChunks} chunks through the started LocalHost: {job.ChunksPerSecond:F0}/s");
            return new Result(ready, first200, jobChunks, job.ChunksPerSecond, ProcessMemory.PeakResidentMiB(host.Id), ProcessMemory.PeakResidentMiB(host.WorkerId));
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    // A standalone process_chunk of inline items (no job, so no signature and no storage): the first request
    // that the function itself answers 200. A 503 (worker not ready) is retried.
    private static async Task<double> First200Async(HttpClient http, long started)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        while (true)
        {
            using var response = await http.PostAsync("api/batch", new StringContent("""{"items":[1,2,3]}""", Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                await response.Content.LoadIntoBufferAsync();
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"the first request answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>The report's lines.</summary>
    public static string Report(Result result, int concurrency) => string.Create(CultureInfo.InvariantCulture, $$"""
        **Process start to first 200: {{RunResult.Median(result.First200Ms):F0}} ms** (median of {{result.First200Ms.Count}} starts: {{string.Join(", ", result.First200Ms.Select(ms => ms.ToString("F0", CultureInfo.InvariantCulture)))}} ms); to the host's ready line (worker connected, functions loaded): {{RunResult.Median(result.ReadyMs):F0}} ms. FanOut.LocalHost started as its own process (`dotnet FanOut.LocalHost.dll --urls http://127.0.0.1:0`), which launches FanOut.Functions.dll as its worker; the first 200 is a standalone `process_chunk` of `{"items":[1,2,3]}`.

        **Peak resident memory (VmHWM) after a start_fanout of {{result.JobChunks}} one-item chunks (maxConcurrency {{concurrency}}, {{result.JobRate:F0}} chunks/s) through that LocalHost: host {{result.HostPeakMiB:F0}} MiB, worker {{result.WorkerPeakMiB:F0}} MiB** (together {{result.HostPeakMiB + result.WorkerPeakMiB:F0}} MiB).
        """);
}
