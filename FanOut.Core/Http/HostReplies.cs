using FanOut.Core.Outcomes;

namespace FanOut.Core.Http;

/// <summary>The answers a host gives on its own, when no function's outcome is there to answer (an exception nothing
/// handled, a time limit, a worker not serving): problem+json of the same shape as every other error, never an empty 5xx.</summary>
public static class HostReplies
{
    /// <summary>500: the invocation ended in an exception nothing handled. The body carries the invocation id
    /// (<c>invocationId</c>), the id its logs are under.</summary>
    public static BatchReply Unhandled(string invocationId) => BatchReply.Problem(Problems.Unhandled(invocationId));

    /// <summary>500: the invocation ran past the host's functionTimeout and was cancelled.</summary>
    public static BatchReply TimedOut(string invocationId, TimeSpan limit) => BatchReply.Problem(Problems.TimedOut(invocationId, limit));

    /// <summary>503 with Retry-After: the host cancelled the invocation (its caller went away, or the host is stopping).</summary>
    public static BatchReply Cancelled(string invocationId) => BatchReply.Problem(Problems.Cancelled(invocationId)) with
    {
        Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
    };

    /// <summary>413: the body is over the host's own limit (<paramref name="limitBytes"/>), before the app could read it.</summary>
    public static BatchReply TooLarge(long limitBytes) =>
        BatchReply.Problem(Problems.Of(new Refusal(RefusalKind.TooLarge, $"The body is larger than the host's limit of {limitBytes} bytes.")));

    /// <summary>503 with Retry-After: the host's worker is not serving (starting, or gone).</summary>
    public static BatchReply WorkerUnavailable() => BatchReply.Problem(Problems.WorkerUnavailable()) with
    {
        Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
    };
}
