using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Core;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.LocalHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FanOut.Benchmarks;

/// <summary>The two ways LocalHost serves the function app, side by side against one Azurite: the in-process
/// adapter (the function classes in this process) on a loopback port with one extra route, <c>POST
/// /bench/noop</c>, that reads the body and answers <c>{}</c> (the ceiling is the rate of those POSTs through the
/// same typed client, policies and Kestrel server that the fan-out's self-calls use); and the real worker
/// (LocalHost's front in this process, FanOut.Functions.dll as its own process behind it), sent the same calls
/// through a client built by the same <c>AddFanOut</c> registration.</summary>
internal sealed class BenchHost(
    WebApplication app, HttpClient client, RealWorker worker, ServiceProvider workerClients, HttpClient workerClient, AzuriteProcess azurite, int concurrency)
    : IAsyncDisposable
{
    private int _ceilingRuns;

    /// <summary>The storage both hosts use.</summary>
    public string StorageConnectionString => azurite.ConnectionString;

    public static async Task<BenchHost> StartAsync(int concurrency)
    {
        var azurite = await AzuriteProcess.StartAsync();
        // One signing key for the adapter, the worker and the client that calls the worker: the benchmark's
        // process_chunk calls are internal ones (depth 1), signed and checked as the app's own calls are.
        var signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        var settings = new Dictionary<string, string?>
        {
            ["FanOut:Dispatch:MaxConcurrency"] = concurrency.ToString(),
            ["FanOut:Storage:ConnectionString"] = azurite.ConnectionString,
            ["FanOut:SigningKey"] = signingKey,
        };
        var app = InProcessHost.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Services.AddTransient<LatencyRecorder>();
                builder.Services.AddHttpClient<SelfClient>().AddHttpMessageHandler<LatencyRecorder>();
            },
            app => app.MapPost("/bench/noop", async context =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{}");
            }));
        await app.StartAsync();
        var worker = await RealWorker.StartAsync(settings);
        // The worker's caller: the same registration (typed client, Polly policies, signing, the latency
        // handler innermost), aimed at the worker's front.
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddFanOut(new ConfigurationBuilder().AddInMemoryCollection(settings)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["FanOut:SelfBaseUrl"] = worker.Url.AbsoluteUri }).Build());
        services.AddTransient<LatencyRecorder>();
        services.AddHttpClient<SelfClient>().AddHttpMessageHandler<LatencyRecorder>();
        return new BenchHost(
            app, new HttpClient { BaseAddress = new Uri(LocalPaths.CallableUrl(app.Urls.First())), Timeout = TimeSpan.FromMinutes(10) },
            worker, services.BuildServiceProvider(), new HttpClient { BaseAddress = worker.Url, Timeout = TimeSpan.FromMinutes(10) },
            azurite, concurrency);
    }

    /// <summary>Trivial POSTs, as many as the fan-out has chunks, at the fan-out's concurrency.</summary>
    public async Task<RunResult> CeilingAsync(int requests)
    {
        var selfClient = app.Services.GetRequiredService<SelfClient>();
        // The same size as a one-item process_chunk body.
        var body = """{"action":"process_chunk","jobId":"bench","chunk":0,"processor":"count","depth":1,"items":[1234]}"""u8.ToArray();
        LatencyRecorder.Reset();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var result = await selfClient.PostAsync("bench/noop", body, $"bench/{i}", ct);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"ceiling request failed: {result.StatusCode} {result.Error}");
            }
        });
        return new RunResult(requests, Stopwatch.GetElapsedTime(started), LatencyRecorder.Snapshot());
    }

    /// <summary>The fan-out's HTTP path alone, in the adapter: the app's ChunkDispatcher sending one-item
    /// process_chunk bodies without a job id (so nothing is committed) through the same client, to the same function.</summary>
    public Task<RunResult> HttpFanOutAsync(int chunks) => HttpFanOutAsync(app.Services, chunks);

    /// <summary>The same calls, from a ChunkDispatcher of the same registration, to the real worker's front.</summary>
    public Task<RunResult> WorkerHttpFanOutAsync(int chunks) => HttpFanOutAsync(workerClients, chunks);

    private async Task<RunResult> HttpFanOutAsync(IServiceProvider services, int chunks)
    {
        using var scope = services.CreateScope();
        var dispatcher = scope.ServiceProvider.GetRequiredService<ChunkDispatcher>();
        var ranges = Enumerable.Range(0, chunks).Select(i => new FanOut.Core.Planning.ChunkRange(i, i, 1)).ToList();
        LatencyRecorder.Reset();
        var started = Stopwatch.GetTimestamp();
        var outcomes = await dispatcher.DispatchAsync("bench", ranges,
            chunk => System.Text.Encoding.UTF8.GetBytes($$"""{"action":"process_chunk","chunk":{{chunk.Index}},"processor":"count","depth":1,"items":[{{chunk.Index}}]}"""),
            () => concurrency);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (outcomes.Count(o => o.Succeeded) != chunks)
        {
            throw new InvalidOperationException("HTTP fan-out chunks failed: " + outcomes.First(o => !o.Succeeded).Error);
        }
        return new RunResult(chunks, elapsed, LatencyRecorder.Snapshot());
    }

    /// <summary>Empties the storage: Azurite slows down as blobs accumulate (about half the rate after
    /// 100,000), so each round starts from an empty one.</summary>
    public Task ResetStorageAsync() => azurite.RestartEmptyAsync();

    /// <summary>The storage ceiling: chunk commits (a small JSON blob written with If-None-Match: *, the
    /// ledger's own operation) to the same Azurite, as many as the fan-out has chunks, at its concurrency.</summary>
    public async Task<RunResult> StorageCeilingAsync(int commits)
    {
        var ledger = app.Services.GetRequiredService<IChunkStore>();
        var jobId = $"bench-ceiling-{Interlocked.Increment(ref _ceilingRuns)}-{Guid.NewGuid():N}";
        var result = JsonSerializer.SerializeToElement(new { records = 1, bytes = 4 });
        var latencies = new System.Collections.Concurrent.ConcurrentQueue<double>();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, commits), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var one = Stopwatch.GetTimestamp();
            var commit = await ledger.CommitChunkAsync(new CommittedChunk { JobId = jobId, Chunk = i, Processor = "count", Items = 1, Result = result }, ct);
            latencies.Enqueue(Stopwatch.GetElapsedTime(one).TotalMilliseconds);
            if (commit.IsDuplicate)
            {
                throw new InvalidOperationException("a ceiling commit met an existing blob");
            }
        });
        return new RunResult(commits, Stopwatch.GetElapsedTime(started), [.. latencies]);
    }

    /// <summary>start_fanout with <paramref name="chunks"/> one-item chunks of <c>count</c>, in the adapter.</summary>
    public Task<RunResult> FanOutAsync(int chunks) => FanOutAsync(client, chunks, concurrency);

    /// <summary>The same job through the real worker.</summary>
    public Task<RunResult> WorkerFanOutAsync(int chunks) => FanOutAsync(workerClient, chunks, concurrency);

    /// <summary>start_fanout with <paramref name="chunks"/> one-item chunks of <c>count</c> to the host behind <paramref name="client"/>.</summary>
    public static async Task<RunResult> FanOutAsync(HttpClient client, int chunks, int concurrency)
    {
        var job = new JsonObject
        {
            ["action"] = "start_fanout",
            ["processor"] = "count",
            ["chunkSize"] = 1,
            ["maxConcurrency"] = concurrency,
            ["waitSeconds"] = 200,
            ["items"] = new JsonArray([.. Enumerable.Range(0, chunks).Select(i => JsonValue.Create(i))]),
        };
        var content = JsonContent.Create(job);
        await content.LoadIntoBufferAsync();
        LatencyRecorder.Reset();
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync("api/batch", content);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var body = await response.Content.ReadAsStringAsync();
        using var result = JsonDocument.Parse(body);
        var succeeded = result.RootElement.GetProperty("chunks").GetProperty("succeeded").GetInt32();
        var records = result.RootElement.GetProperty("result").GetProperty("records").GetInt64();
        if (!response.IsSuccessStatusCode || succeeded != chunks || records != chunks)
        {
            throw new InvalidOperationException($"fan-out did not complete: {body[..Math.Min(500, body.Length)]}");
        }
        return new RunResult(chunks, elapsed, LatencyRecorder.Snapshot());
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        workerClient.Dispose();
        await workerClients.DisposeAsync();
        await worker.DisposeAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        await azurite.DisposeAsync();
    }
}
