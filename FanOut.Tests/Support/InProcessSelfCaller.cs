using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using FanOut.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Support;

/// <summary>Self-calls without HTTP: each attempt is signed with the app's <see cref="InternalCallSigner"/> (a fresh
/// signature per attempt, as <see cref="SigningHandler"/> signs) and handed to the same provider's
/// <see cref="BatchEndpoint"/>, on the thread pool, as a request would arrive. Like the real policy it retries
/// transport errors and transient statuses up to FanOut:Dispatch:MaxAttempts, and re-sends a refusal (429, or 503
/// with Retry-After) without spending an attempt, at most <see cref="BackPressureHandler.MaxRefusals"/> times an
/// attempt; unlike it, it waits neither between attempts nor for a job's pause, and has no per-attempt timeout. The caller's cancellation stops
/// the waiting, never the endpoint's work, which goes on as a request whose client went away would.
/// Injected <see cref="CallFault"/>s break chosen attempts; every call and delivery is counted.</summary>
internal sealed class InProcessSelfCaller(IServiceProvider services, IOptions<FanOutOptions> options, TimeProvider timeProvider) : ISelfCaller
{
    private readonly ConcurrentQueue<CallFault> _faults = new();
    private readonly ConcurrentQueue<(string Action, int? Chunk)> _calls = new();
    private readonly ConcurrentDictionary<string, int> _deliveries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _answered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, string> _running = new();
    private readonly ConcurrentQueue<Exception> _serverErrors = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _peakInFlight = new(StringComparer.Ordinal);
    private int _held;
    private int _open;
    private int _peakOpen;

    /// <summary>Real time each process_chunk delivery takes before the endpoint sees it (work that keeps a
    /// chunk in flight long enough for the others to pile up); zero by default.</summary>
    public TimeSpan ChunkWork { get; set; }

    /// <summary>When set, every process_chunk delivery, once counted in flight, waits for a pass of this gate before the endpoint
    /// sees it: chunks that stay in flight until the test lets them end.</summary>
    public ChunkGate? Gate { get; set; }

    /// <summary>Deliveries of an action being handled now.</summary>
    public int InFlight(string action) => _inFlight.GetValueOrDefault(action);

    /// <summary>Forgets the peaks of <see cref="PeakInFlight"/>: from now on, the most handled at once.</summary>
    public void ResetPeaks() => _peakInFlight.Clear();

    /// <summary>The most deliveries of any action that were being handled at once: the invocations the app's jobs held
    /// open together (a job's root, its dispatchers and its chunks).</summary>
    public int PeakOpen => Volatile.Read(ref _peakOpen);

    /// <summary>The most deliveries of an action that were being handled at once.</summary>
    public int PeakInFlight(string action) => _peakInFlight.GetValueOrDefault(action);

    public async Task<SelfCallResult> PostBatchAsync(
        byte[] body, string operationKey, CancellationToken cancellationToken = default, TimeSpan? attemptTimeout = null, string? jobId = null)
    {
        var (action, chunk) = Address(body);
        _calls.Enqueue((action, chunk));
        var result = await SendAsync(body, action, chunk, cancellationToken);
        _answered.AddOrUpdate(action, 1, (_, n) => n + 1);
        return result;
    }

    private async Task<SelfCallResult> SendAsync(byte[] body, string action, int? chunk, CancellationToken cancellationToken)
    {
        var maxAttempts = options.Value.Dispatch.MaxAttempts;
        for (int attempt = 1, refusals = 0; ; )
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fault = _faults.FirstOrDefault(f => f.Takes(action, chunk));
            var end = await AttemptAsync(body, action, fault, cancellationToken);
            if (end.Refused && ++refusals < BackPressureHandler.MaxRefusals)
            {
                continue;
            }
            refusals = 0;
            var transient = end.Error is not null || RetryDelay.IsTransient((HttpStatusCode)end.Status);
            if (!transient || attempt == maxAttempts)
            {
                return new SelfCallResult(end.Status, end.Body, attempt, end.Error);
            }
            attempt++;
        }
    }

    /// <summary>Applies <paramref name="fault"/> to matching attempts until <see cref="ClearFaults"/>.</summary>
    public void Inject(CallFault fault) => _faults.Enqueue(fault);

    public void ClearFaults() => _faults.Clear();

    /// <summary>Calls of an action (each call counted once, however many attempts it took).</summary>
    public int Calls(string action) => _calls.Count(c => c.Action == action);

    /// <summary>Calls of an action about one chunk.</summary>
    public int Calls(string action, int chunk) => _calls.Count(c => c.Action == action && c.Chunk == chunk);

    /// <summary>The chunks that calls of an action were about, ascending, each once.</summary>
    public IReadOnlyList<int> ChunksCalled(string action) =>
        [.. _calls.Where(c => c.Action == action && c.Chunk is not null).Select(c => c.Chunk!.Value).Distinct().Order()];

    /// <summary>Attempts of an action that reached the endpoint.</summary>
    public int Deliveries(string action) => _deliveries.GetValueOrDefault(action);

    /// <summary>Calls of an action whose caller got an answer (after its last attempt), not cancelled ones.</summary>
    public int Answered(string action) => _answered.GetValueOrDefault(action);

    /// <summary>Forgets the calls, deliveries and answers counted so far.</summary>
    public void ResetCounts()
    {
        _calls.Clear();
        _deliveries.Clear();
        _answered.Clear();
    }

    /// <summary>Calls now waiting for an answer that is late or will never come.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Exceptions the endpoint let escape (a host would answer them 500): none, in a healthy run.</summary>
    public IReadOnlyCollection<Exception> ServerErrors => _serverErrors;

    /// <summary>Delivered calls being handled now (work whose callers went away included).</summary>
    public int Running => _running.Keys.Count(t => !t.IsCompleted);

    /// <summary>Waits until no delivered call is being handled (work whose callers went away included).</summary>
    public async Task WhenIdleAsync(TimeSpan? timeout = null)
    {
        var limit = Task.Delay(timeout ?? TimeSpan.FromSeconds(30));
        while (_running.Keys.Where(t => !t.IsCompleted).ToArray() is { Length: > 0 } running)
        {
            if (await Task.WhenAny(Task.WhenAll(running), limit) == limit)
            {
                var what = running.Select(t => _running.TryGetValue(t, out var call) ? call : "?");
                throw new TimeoutException($"{running.Length} delivered calls still running: {string.Join(" | ", what)}");
            }
        }
    }

    private async Task<Attempt> AttemptAsync(byte[] body, string action, CallFault? fault, CancellationToken cancellationToken)
    {
        switch (fault?.Kind)
        {
            case CallFaultKind.Drop:
                await HoldAsync(Timeout.InfiniteTimeSpan, cancellationToken);
                throw new OperationCanceledException(cancellationToken);
            case CallFaultKind.TransportBeforeDelivery:
                return Attempt.Transport($"injected: connection refused before the {action} call was sent.");
            case CallFaultKind.CutWhileRunning:
                _ = Deliver(body, action);
                return Attempt.Transport($"injected: the connection was cut while the {action} call ran.");
            case CallFaultKind.Queued:
                var queued = Track(QueuedAsync(body, action, fault.Delay), body);
                var late = await queued.WaitAsync(cancellationToken);
                return new Attempt(late.StatusCode, late.Body);
            case CallFaultKind.Status:
                var problem = new ProblemDetails("urn:fanout:test:injected", "Injected fault.", fault.StatusCode, $"injected {fault.StatusCode} for {action}");
                return new Attempt(fault.StatusCode, BatchReply.Problem(problem).Body);
        }
        var reply = await Deliver(body, action).WaitAsync(cancellationToken);
        switch (fault?.Kind)
        {
            case CallFaultKind.TransportAfterDelivery:
                return Attempt.Transport($"injected: the connection was cut before the {action} answer arrived.");
            case CallFaultKind.Late:
                await HoldAsync(fault.Delay, cancellationToken);
                break;
        }
        var refused = reply.StatusCode == 429 || (reply.StatusCode == 503 && reply.Headers.ContainsKey("Retry-After"));
        return new Attempt(reply.StatusCode, reply.Body, Refused: refused);
    }

    private async Task HoldAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _held);
        try
        {
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }

    // The request arrives: signed as SigningHandler signs it, handled on the thread pool, tracked until it ends.
    private Task<BatchReply> Deliver(byte[] body, string action)
    {
        _deliveries.AddOrUpdate(action, 1, (_, n) => n + 1);
        var signature = services.GetRequiredService<InternalCallSigner>().Sign(body);
        return Track(Task.Run(() => HandleCountedAsync(body, action, signature)), body);
    }

    // A call on its way in for a while (on the host's clock), then delivered: its caller's giving up does not stop it.
    private async Task<BatchReply> QueuedAsync(byte[] body, string action, TimeSpan delay)
    {
        await Task.Delay(delay, timeProvider);
        return await Deliver(body, action);
    }

    private Task<BatchReply> Track(Task<BatchReply> handled, byte[] body)
    {
        _running.TryAdd(handled, System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200))));
        _ = handled.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return handled;
    }

    private async Task<BatchReply> HandleCountedAsync(byte[] body, string action, string signature)
    {
        var now = _inFlight.AddOrUpdate(action, 1, (_, n) => n + 1);
        _peakInFlight.AddOrUpdate(action, now, (_, peak) => Math.Max(peak, now));
        var open = Interlocked.Increment(ref _open);
        for (var peak = Volatile.Read(ref _peakOpen); open > peak; peak = Volatile.Read(ref _peakOpen))
        {
            Interlocked.CompareExchange(ref _peakOpen, open, peak);
        }
        try
        {
            if (action == BatchActions.ProcessChunk && ChunkWork > TimeSpan.Zero)
            {
                await Task.Delay(ChunkWork);
            }
            if (action == BatchActions.ProcessChunk && Gate is { } gate)
            {
                await gate.PassAsync();
            }
            return await HandleAsync(body, signature);
        }
        finally
        {
            _inFlight.AddOrUpdate(action, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task<BatchReply> HandleAsync(byte[] body, string signature)
    {
        try
        {
            return await services.GetRequiredService<BatchEndpoint>().PostAsync(new MemoryStream(body, writable: false), signature);
        }
        catch (Exception ex)
        {
            _serverErrors.Enqueue(ex);
            return BatchReply.Problem(new ProblemDetails("urn:fanout:test:unhandled", "Unhandled exception.", 500, ex.Message));
        }
    }

    // The action of a call, and the chunk it is about: process_chunk's and count_quotes' chunk, a dispatch node's first. The
    // tests address a job's run (dispatch) and the nodes of its tree (dispatch_node) alike, as dispatch calls.
    private static (string Action, int? Chunk) Address(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var action = root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : BatchActions.ProcessChunk;
        action = action == BatchActions.DispatchNode ? BatchActions.Dispatch : action;
        var chunk = root.TryGetProperty(action == BatchActions.Dispatch ? "first" : "chunk", out var c) && c.ValueKind == JsonValueKind.Number
            ? c.GetInt32() : (int?)null;
        return (action, chunk);
    }

    private sealed record Attempt(int Status, byte[] Body, string? Error = null, bool Refused = false)
    {
        // As SelfClient reports an HttpRequestException that outlasted the retries.
        public static Attempt Transport(string message) => new(0, [], $"HttpRequestException: {message}");
    }
}
