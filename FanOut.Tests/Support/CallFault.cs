using System.Collections.Concurrent;

namespace FanOut.Tests.Support;

/// <summary>What a <see cref="CallFault"/> does to an attempt.</summary>
internal enum CallFaultKind
{
    /// <summary>Answered with a problem of the fault's status, without reaching the endpoint (a crashed worker, a gateway).</summary>
    Status,
    /// <summary>The connection fails before the call reaches the endpoint.</summary>
    TransportBeforeDelivery,
    /// <summary>The endpoint handles the call, then the connection is cut before its answer arrives.</summary>
    TransportAfterDelivery,
    /// <summary>The endpoint handles the call at once; its answer arrives after the fault's delay (on the host's clock).</summary>
    Late,
    /// <summary>The call never reaches the endpoint and no answer ever comes: the caller waits until it gives up.</summary>
    Drop,
    /// <summary>The endpoint takes the call and goes on handling it, but the connection is cut at once: the caller sees a
    /// transport error while the call still runs (a front end that dropped it).</summary>
    CutWhileRunning,
    /// <summary>The call reaches the endpoint only after the fault's delay (on the host's clock), whether or not its caller
    /// still waits: queued on its way in, or its receiver starved of CPU.</summary>
    Queued,
}

/// <summary>A fault <see cref="InProcessSelfCaller"/> applies to the attempts of calls of one action whose chunk
/// (<c>chunk</c> of process_chunk and count_quotes; <c>first</c> of a dispatch node, null for a job's root) it
/// matches: to each matching chunk's first <see cref="TimesPerChunk"/> attempts.</summary>
internal sealed class CallFault
{
    private readonly ConcurrentDictionary<int, int> _used = new();

    public required string Action { get; init; }

    public required CallFaultKind Kind { get; init; }

    /// <summary>The chunks it applies to; null for every call of the action.</summary>
    public IReadOnlySet<int>? Chunks { get; init; }

    /// <summary>For <see cref="CallFaultKind.Status"/>: the status answered.</summary>
    public int StatusCode { get; init; } = 503;

    /// <summary>For <see cref="CallFaultKind.Late"/>: how late the answer is; for <see cref="CallFaultKind.Queued"/>, the call.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Attempts of each chunk it applies to, then it is spent for that chunk.</summary>
    public int TimesPerChunk { get; init; } = int.MaxValue;

    /// <summary>True (and counted) when this attempt of the call meets the fault.</summary>
    public bool Takes(string action, int? chunk)
    {
        if (action != Action || (Chunks is not null && (chunk is not { } index || !Chunks.Contains(index))))
        {
            return false;
        }
        return _used.AddOrUpdate(chunk ?? -1, 1, (_, n) => n + 1) <= TimesPerChunk;
    }

    public static CallFault Status(string action, int statusCode, IEnumerable<int>? chunks = null, int timesPerChunk = int.MaxValue) =>
        new() { Action = action, Kind = CallFaultKind.Status, StatusCode = statusCode, Chunks = chunks?.ToHashSet(), TimesPerChunk = timesPerChunk };

    public static CallFault Transport(string action, IEnumerable<int>? chunks = null, int timesPerChunk = int.MaxValue, bool afterDelivery = false) =>
        new()
        {
            Action = action,
            Kind = afterDelivery ? CallFaultKind.TransportAfterDelivery : CallFaultKind.TransportBeforeDelivery,
            Chunks = chunks?.ToHashSet(),
            TimesPerChunk = timesPerChunk,
        };

    public static CallFault Late(string action, TimeSpan delay, IEnumerable<int>? chunks = null, int timesPerChunk = int.MaxValue) =>
        new() { Action = action, Kind = CallFaultKind.Late, Delay = delay, Chunks = chunks?.ToHashSet(), TimesPerChunk = timesPerChunk };

    public static CallFault CutWhileRunning(string action, IEnumerable<int>? chunks = null, int timesPerChunk = int.MaxValue) =>
        new() { Action = action, Kind = CallFaultKind.CutWhileRunning, Chunks = chunks?.ToHashSet(), TimesPerChunk = timesPerChunk };

    public static CallFault Queued(string action, TimeSpan delay, IEnumerable<int>? chunks = null, int timesPerChunk = int.MaxValue) =>
        new() { Action = action, Kind = CallFaultKind.Queued, Delay = delay, Chunks = chunks?.ToHashSet(), TimesPerChunk = timesPerChunk };

    public static CallFault Drop(string action, IEnumerable<int>? chunks = null) =>
        new() { Action = action, Kind = CallFaultKind.Drop, Chunks = chunks?.ToHashSet() };
}
