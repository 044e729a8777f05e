using System.Text.Json;
using FanOut.LocalHost.Hosting;
using FanOut.LocalHost.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FanOut.Tests.Support;

/// <summary>FanOut.LocalHost on a free loopback port, in this process: real Kestrel, real sockets, the real
/// AddFanOut wiring. A test middleware counts the process_chunk requests that reach it and, when given a
/// <see cref="FaultInjector"/>, breaks some of them.</summary>
internal sealed class LocalHostServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _processChunkRequests;
    private int _inFlight;
    private int _peakInFlight;

    private LocalHostServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
        Client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(4) };
    }

    public Uri BaseUrl { get; }

    public HttpClient Client { get; }

    /// <summary>process_chunk requests that reached the server, faulted ones included.</summary>
    public int ProcessChunkRequests => Volatile.Read(ref _processChunkRequests);

    /// <summary>When set, process_chunk requests of the chunks it picks are answered 400 (a final failure).</summary>
    public Func<int, bool>? RejectChunk { get; set; }

    /// <summary>The detail of the problem a rejected chunk is answered with.</summary>
    public string RejectDetail { get; set; } = "rejected by the test";

    /// <summary>process_chunk answers by status code.</summary>
    public IReadOnlyDictionary<int, int> ProcessChunkAnswers => _answers;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> _answers = new();

    /// <summary>dispatch requests that reached the server.</summary>
    public int DispatchRequests => Volatile.Read(ref _dispatchRequests);

    /// <summary>Deepest <c>depth</c> of a dispatch request seen (the top of a job's tree is 1).</summary>
    public int DeepestDispatch => Volatile.Read(ref _deepestDispatch);

    /// <summary>Deepest <c>depth</c> of a process_chunk request seen.</summary>
    public int DeepestChunk => Volatile.Read(ref _deepestChunk);

    /// <summary>Called with each process_chunk request's chunk index as it arrives.</summary>
    public Action<int>? OnChunk { get; set; }

    /// <summary>Every dispatch request served: its run, whether it was a run's root (no range), and when it arrived and was answered.</summary>
    public IReadOnlyList<DispatchSpan> DispatchSpans => [.. _dispatchSpans];

    private readonly System.Collections.Concurrent.ConcurrentQueue<DispatchSpan> _dispatchSpans = new();

    /// <summary>Every process_chunk request served: its run (as its body names it), its chunk, when it arrived and was
    /// answered, and the status (410: read after its sender's deadline, not processed).</summary>
    public IReadOnlyList<ChunkCallSpan> ChunkSpans => [.. _chunkSpans];

    private readonly System.Collections.Concurrent.ConcurrentQueue<ChunkCallSpan> _chunkSpans = new();

    private int _dispatchRequests;
    private int _deepestDispatch;
    private int _deepestChunk;

    /// <summary>Most process_chunk requests that were being served at the same moment.</summary>
    public int PeakProcessChunkInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>The worker process behind it (0 for the in-process adapter).</summary>
    public int WorkerProcessId { get; private set; }

    /// <param name="settings">Configuration, as FanOut__* environment variables would give it.</param>
    /// <param name="faults">Breaks some process_chunk requests.</param>
    /// <param name="chunkDelay">Holds every process_chunk request this long before serving it.</param>
    /// <param name="logs">Receives every log entry, at Debug and above (the worker's too: they reach the host).</param>
    /// <param name="hostJson">host.json settings instead of the app's.</param>
    /// <param name="inProcess">Serves the function classes in this process (the adapter) instead of running the real
    /// worker: only for tests that compare the two, or that add to the app (<paramref name="fanOut"/>).</param>
    /// <param name="fanOut">Adds to the app's AddFanOut, as a Program.cs would (e.g. a sample's processor); the real
    /// worker runs FanOut.Functions' own Program.cs, so this needs <paramref name="inProcess"/>.</param>
    /// <param name="cluster">The instances behind the front (default: one, of 16 slots), as LocalHost's flags.</param>
    public static async Task<LocalHostServer> StartAsync(
        IDictionary<string, string?>? settings = null, FaultInjector? faults = null, TimeSpan? chunkDelay = null, ILoggerProvider? logs = null,
        HostJson? hostJson = null, bool inProcess = false, Action<FanOut.Core.FanOutBuilder, IConfiguration>? fanOut = null, LocalCluster? cluster = null)
    {
        if (cluster is not null && inProcess)
        {
            throw new ArgumentException("The in-process adapter has no instances: a cluster needs the real worker.", nameof(cluster));
        }
        if (fanOut is not null && !inProcess)
        {
            throw new ArgumentException("The real worker runs FanOut.Functions' Program.cs: add to its AddFanOut in process (inProcess: true).", nameof(fanOut));
        }
        var all = new Dictionary<string, string?>
        {
            ["FanOut:SigningKey"] = TestKeys.Signing,
            // The watchdog is off unless a test turns it on: the tests share one Azurite, and a watchdog resuming another
            // test's abandoned job would send its chunks through this server (and its counts).
            ["FanOut:Watchdog:MaxResumes"] = "0",
        };
        if (logs is not null)
        {
            all["Logging:LogLevel:Default"] = "Debug";
            all["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug";
            all["Logging:LogLevel:System.Net.Http.HttpClient"] = "Debug";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        LocalHostServer? server = null;
        string[] args = ["--urls", "http://127.0.0.1:0", .. cluster?.Arguments() ?? []];
        void Configure(WebApplicationBuilder builder)
        {
            builder.Configuration.AddInMemoryCollection(all);
            builder.Logging.SetMinimumLevel(logs is null ? LogLevel.Warning : LogLevel.Debug);
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
        }
        void Inspect(WebApplication app) => app.Use((context, next) => server!.InspectAsync(context, next, faults, chunkDelay));
        var app = inProcess
            ? InProcessHost.Build(args, Configure, Inspect, fanOut)
            : WorkerHost.Build(args, all, Configure, Inspect, hostJson);
        await app.StartAsync();
        server = new LocalHostServer(app, new Uri(LocalPaths.CallableUrl(app.Urls.First())));
        if (!inProcess)
        {
            server.WorkerProcessId = await app.WorkerProcessIdAsync();
        }
        return server;
    }

    /// <summary>POSTs a body to the batch endpoint signed as the app signs its internal calls, or with the
    /// given signature header (null: none).</summary>
    public async Task<HttpResponseMessage> PostInternalAsync(string body, string? signature = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/batch")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (signature is not null)
        {
            request.Headers.Add(FanOut.Core.Security.InternalCallSigner.Header, signature.Length == 0 ? TestKeys.Sign(body) : signature);
        }
        return await Client.SendAsync(request);
    }

    /// <summary>The instances behind it, as <c>GET /admin/instances</c> answers.</summary>
    public Task<IReadOnlyList<InstanceView>> InstancesAsync() => InstanceView.ReadAsync(Client);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Every request that reached the server.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private int _requests;
    private int _serving;

    /// <summary>Waits (up to 30 s) until the server is serving no request.</summary>
    public async Task QuietAsync()
    {
        for (var i = 0; i < 600 && Volatile.Read(ref _serving) > 0; i++)
        {
            await Task.Delay(50);
        }
    }

    private async Task InspectAsync(HttpContext context, RequestDelegate next, FaultInjector? faults, TimeSpan? chunkDelay)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _serving);
        try
        {
            await InspectCallAsync(context, next, faults, chunkDelay);
        }
        finally
        {
            Interlocked.Decrement(ref _serving);
        }
    }

    private async Task InspectCallAsync(HttpContext context, RequestDelegate next, FaultInjector? faults, TimeSpan? chunkDelay)
    {
        var (action, chunk, depth, runId, isRoot) = await ReadCallAsync(context.Request);
        if (action is "dispatch" or "dispatch_node")
        {
            Interlocked.Increment(ref _dispatchRequests);
            Raise(ref _deepestDispatch, depth);
            var arrived = DateTimeOffset.UtcNow;
            // Answered: when the answer starts to go out, before the caller can have any of it (a time taken after
            // the answer was written may come after the caller read it and acted on it).
            DateTimeOffset? answered = null;
            context.Response.OnStarting(() =>
            {
                answered = DateTimeOffset.UtcNow;
                return Task.CompletedTask;
            });
            try
            {
                await next(context);
            }
            finally
            {
                _dispatchSpans.Enqueue(new DispatchSpan(runId, isRoot, arrived, answered ?? DateTimeOffset.UtcNow, context.Response.StatusCode));
            }
            return;
        }
        if (chunk is null)
        {
            await next(context);
            return;
        }
        Interlocked.Increment(ref _processChunkRequests);
        Raise(ref _deepestChunk, depth);
        OnChunk?.Invoke(chunk.Value);
        var inFlight = Interlocked.Increment(ref _inFlight);
        var chunkArrived = DateTimeOffset.UtcNow;
        DateTimeOffset? chunkAnswered = null;
        context.Response.OnStarting(() =>
        {
            chunkAnswered = DateTimeOffset.UtcNow;
            return Task.CompletedTask;
        });
        try
        {
            Raise(ref _peakInFlight, inFlight);
            if (chunkDelay is { } delay)
            {
                await Task.Delay(delay);
            }
            if (RejectChunk?.Invoke(chunk.Value) == true)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "application/problem+json";
                await context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(
                    new { type = "urn:test:rejected", title = "Rejected.", status = 400, detail = RejectDetail }));
            }
            else
            {
                await ServeAsync(context, next, faults?.Decide(chunk.Value) ?? ChunkFault.None);
            }
            _answers.AddOrUpdate(context.Response.StatusCode, 1, (_, n) => n + 1);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _chunkSpans.Enqueue(new ChunkCallSpan(runId, chunk.Value, chunkArrived, chunkAnswered ?? DateTimeOffset.UtcNow, context.Response.StatusCode));
        }
    }

    private static async Task ServeAsync(HttpContext context, RequestDelegate next, ChunkFault fault)
    {
        switch (fault)
        {
            case ChunkFault.Unavailable:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            case ChunkFault.CutBeforeProcessing:
                context.Abort();
                return;
            case ChunkFault.CutAfterProcessing:
                context.Response.Body = new MemoryStream(); // the answer goes nowhere
                await next(context);
                context.Abort();
                return;
            default:
                await next(context);
                return;
        }
    }

    private static void Raise(ref int peak, int value)
    {
        for (var seen = Volatile.Read(ref peak); value > seen; seen = Volatile.Read(ref peak))
        {
            Interlocked.CompareExchange(ref peak, value, seen);
        }
    }

    // The action, depth and (for process_chunk) chunk index of a POST; Chunk is null for any other request. For
    // dispatch, its run id and whether it is a run's root (no range). The body is rewound.
    private static async Task<(string? Action, int? Chunk, int Depth, string? RunId, bool IsRoot)> ReadCallAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return (null, null, 0, null, false);
        }
        request.EnableBuffering();
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, 0, null, false);
            }
            var hasAction = root.TryGetProperty("action", out var a);
            var action = hasAction && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            var depth = root.TryGetProperty("depth", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var n) ? n : 0;
            var isChunk = !hasAction || action == "process_chunk";
            int? chunk = !isChunk ? null : root.TryGetProperty("chunk", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var index) ? index : 0;
            var runId = root.TryGetProperty("runId", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            return (action, chunk, depth, runId, action == "dispatch");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that is not Unicode text ("\ud800"): the app answers it; this only counts.
            return (null, null, 0, null, false);
        }
        finally
        {
            request.Body.Position = 0;
        }
    }
}

/// <summary>One dispatch request the server served.</summary>
/// <param name="RunId">The run it belongs to.</param>
/// <param name="IsRoot">True for a run's root (the whole job), false for a node of its tree.</param>
public sealed record DispatchSpan(string? RunId, bool IsRoot, DateTimeOffset Arrived, DateTimeOffset Answered, int StatusCode);

/// <summary>One process_chunk request the server served.</summary>
/// <param name="RunId">The run that sent it, as its body names it (null when it does not).</param>
public sealed record ChunkCallSpan(string? RunId, int Chunk, DateTimeOffset Arrived, DateTimeOffset Answered, int StatusCode);
