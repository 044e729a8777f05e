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
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FanOut.Benchmarks;

/// <summary>Chunk rate of whole jobs through the dispatch tree at several sizes (one-item chunks of
/// <c>count</c>, so the per-chunk cost of dispatching and committing is what is measured), each job on a
/// fresh in-memory Azurite, through LocalHost in this process; and the time from start_fanout to the first
/// process_chunk reaching the server.</summary>
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
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var size in round == 0 ? [sizes[0]] : sizes)
            {
                var run = await RunJobAsync(size, concurrency, 100);
                Console.Error.WriteLine($"{(round == 0 ? "warm-up" : $"round {round}")}: {size:N0} chunks at {run.Rate:F0}/s, "
                                        + $"first chunk after {run.FirstChunkMs:F0} ms, {run.Levels} levels, {run.Dispatchers} dispatchers");
                if (round > 0)
                {
                    results[size].Add(run);
                }
            }
            foreach (var width in round == 0 || byWidth.Count == 1 ? [] : (round % 2 == 0 ? byWidth.Keys.Reverse() : byWidth.Keys))
            {
                var run = await RunJobAsync(widthSize, concurrency, width);
                Console.Error.WriteLine($"round {round}: {widthSize:N0} chunks at width {width}: {run.Rate:F0}/s, {run.Dispatchers} dispatchers");
                byWidth[width].Add(run);
            }
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"One-item `count` chunks, maxConcurrency {concurrency} per dispatcher, FanoutWidth 100; each job on a fresh in-memory Azurite, LocalHost in-process; {rounds} round(s) after a warm-up job.");
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

    private static async Task<(double Rate, double FirstChunkMs, int Levels, int Dispatchers)> RunJobAsync(int chunks, int concurrency, int width)
    {
        await using var azurite = await AzuriteProcess.StartAsync(inMemory: true);
        long firstChunk = 0;
        var dispatchers = 0;
        var app = InProcessHost.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["FanOut:Storage:ConnectionString"] = azurite.ConnectionString,
                    ["FanOut:Dispatch:HopDeadlineSeconds"] = "229",
                    ["FanOut:Dispatch:FanoutWidth"] = width.ToString(CultureInfo.InvariantCulture),
                });
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
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
                        Interlocked.CompareExchange(ref firstChunk, Stopwatch.GetTimestamp(), 0);
                    }
                    else if (start.Contains("\"dispatch\"", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref dispatchers);
                    }
                }
                await next(context);
            }));
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(LocalPaths.CallableUrl(app.Urls.First())), Timeout = TimeSpan.FromMinutes(5) };
            var jobId = $"scale-{chunks}-{Guid.NewGuid():N}"[..40];
            var body = new JsonObject
            {
                ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkSize"] = 1,
                ["maxConcurrency"] = concurrency, ["waitSeconds"] = 200,
                ["items"] = new JsonArray([.. Enumerable.Range(0, chunks).Select(i => JsonValue.Create(i))]),
            };
            var started = Stopwatch.GetTimestamp();
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
            if (job.GetProperty("status").GetString() != "Succeeded" || job.GetProperty("items").GetProperty("processed").GetInt64() != chunks)
            {
                throw new InvalidOperationException($"the job of {chunks} chunks ended {job}");
            }
            return (chunks / elapsed.TotalSeconds, Stopwatch.GetElapsedTime(started, firstChunk).TotalMilliseconds,
                job.GetProperty("dispatchLevels").GetInt32(), dispatchers);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
