using FanOut.Core.Contracts;
using FanOut.Core.Outcomes;

namespace FanOut.Core.Http;

/// <summary>The HTTP edge: the one place where an <see cref="Outcome"/> becomes a status, headers and a body.</summary>
internal static class Replies
{
    /// <summary>Response header saying whether this delivery committed the chunk (<c>created</c>) or found
    /// it committed already (<c>duplicate</c>, and the answer is the committed result).</summary>
    public const string CommitHeader = "X-FanOut-Commit";

    /// <summary>The answer of an outcome.</summary>
    public static BatchReply Of(Outcome outcome) => outcome switch
    {
        Refused { Refusal: var refusal } => Problem(refusal),
        JobFinished { Job: var job } => BatchReply.Json(200, job, FanOutJsonContext.Default.JobResult),
        JobRunning { Job: var job } => BatchReply.Json(202, job, FanOutJsonContext.Default.JobResult) with
        {
            Headers = new Dictionary<string, string> { ["Location"] = $"/api/batch/{job.JobId}", ["Retry-After"] = "2" },
        },
        JobPage page => StatusPage.Of(page.Job, page.Grid),
        JobPlanned { Plan: var plan } => BatchReply.Json(200, plan, FanOutJsonContext.Default.JobPlan),
        ChunkProcessed { Commit: CommitKind.None } chunk => BatchReply.Json(200, chunk.Result, FanOutJsonContext.Default.ChunkResult),
        ChunkProcessed chunk => BatchReply.Json(200, chunk.Result, FanOutJsonContext.Default.ChunkResult) with
        {
            Headers = new Dictionary<string, string> { [CommitHeader] = chunk.Commit == CommitKind.Duplicate ? "duplicate" : "created" },
        },
        Answered answered => BatchReply.Json(200, answered.Body, answered.TypeInfo),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "No answer for this outcome."),
    };

    private static BatchReply Problem(Refusal refusal)
    {
        var reply = BatchReply.Problem(Problems.Of(refusal));
        // A transient failure says when to try again, so callers' retry policies (and a job's pause) wait for it.
        var retryAfter = refusal.Kind switch
        {
            RefusalKind.Unavailable or RefusalKind.InstanceBusy => "1",
            RefusalKind.Throttled => Seconds(refusal.RetryAfter),
            _ => null,
        };
        return retryAfter is null ? reply : reply with { Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfter } };
    }

    // Retry-After in whole seconds, rounded up, at least 1: a downstream's "0" must not turn a pause into a spin.
    private static string Seconds(TimeSpan? wait) =>
        Math.Max(1, (long)Math.Ceiling((wait ?? TimeSpan.Zero).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
