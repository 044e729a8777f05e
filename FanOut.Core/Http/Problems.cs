using FanOut.Core.Contracts;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;

namespace FanOut.Core.Http;

/// <summary>The RFC 9457 problem of each kind of refusal: one place, so that types, titles and statuses stay fixed.</summary>
internal static class Problems
{
    /// <summary>The problem body of a refusal.</summary>
    public static ProblemDetails Of(Refusal refusal)
    {
        var (type, title, status) = refusal.Kind switch
        {
            RefusalKind.Invalid => ("validation", "The request is not valid.", 400),
            RefusalKind.MalformedJson => ("malformed-json", "The request body is not valid JSON.", 400),
            RefusalKind.TooLarge => ("too-large", "The request body is too large.", 413),
            RefusalKind.UnknownJob => ("unknown-job", "No such job.", 404),
            RefusalKind.JobIdReused => ("job-id-reused", "The job id is taken by a different request.", 409),
            RefusalKind.Unavailable => ("unavailable", "A dependency is unavailable; try again.", 503),
            RefusalKind.DispatchFailed => ("dispatch-failed", "The job could not be run now; it is stored, resume it later.", 503),
            RefusalKind.SourceNotFound => ("source-not-found", "The source blob does not exist.", 404),
            RefusalKind.SourceChanged => ("source-changed", "The source blob changed while it was read.", 412),
            RefusalKind.Unsigned => ("unsigned", "Signature required.", 401),
            RefusalKind.BadSignature => ("bad-signature", "Signature refused.", 403),
            RefusalKind.LoopDetected => ("loop-detected", "Recursion depth exceeded.", 508),
            RefusalKind.Throttled => ("throttled", "A downstream service is throttling the processor; try again later.", 429),
            RefusalKind.AlreadyEnded => ("job-ended", "The job has ended.", 409),
            RefusalKind.JobRunning => ("job-running", "The job is running.", 409),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Kind, "Unknown refusal."),
        };
        // Whatever a refusal echoed from the request, the detail stays within its size (the errors are bounded by FieldErrors).
        return new ProblemDetails($"urn:fanout:problem:{type}", title, status, ProblemText.Clip(refusal.Detail, ProblemText.MaxDetailBytes), refusal.Errors);
    }
}
