using FanOut.Core.Contracts;

namespace FanOut.Core.Http;

/// <summary>The problems the endpoint answers with; one place so that types and titles stay fixed.</summary>
public static class Problems
{
    /// <summary>400: the request is not valid; <paramref name="errors"/> names the fields.</summary>
    public static ProblemDetails Validation(string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        new("urn:fanout:problem:validation", "The request is not valid.", 400, detail, errors);

    /// <summary>400: the body is not JSON.</summary>
    public static ProblemDetails MalformedJson(string detail) =>
        new("urn:fanout:problem:malformed-json", "The request body is not valid JSON.", 400, detail);

    /// <summary>413: the body is larger than the configured limit.</summary>
    public static ProblemDetails TooLarge(long limitBytes) =>
        new("urn:fanout:problem:too-large", "The request body is too large.", 413,
            $"The body is larger than the limit of {limitBytes} bytes (FanOut__Limits__MaxRequestBytes).");

    /// <summary>404: no such job.</summary>
    public static ProblemDetails UnknownJob(string jobId) =>
        new("urn:fanout:problem:unknown-job", "No such job.", 404, $"There is no job '{jobId}'.");

    /// <summary>409: the job id is taken by a different request.</summary>
    public static ProblemDetails JobIdReused(string jobId) =>
        new("urn:fanout:problem:job-id-reused", "The job id is taken by a different request.", 409,
            $"Job '{jobId}' exists with a different processor, options, chunking, tolerance or items. Use another jobId, or send the same request to get that job.");

    /// <summary>503: storage (or another dependency) failed transiently; try again.</summary>
    public static ProblemDetails Unavailable(string detail) =>
        new("urn:fanout:problem:unavailable", "A dependency is unavailable; try again.", 503, detail);

    /// <summary>503: the job is stored but its dispatch run could not be started or failed.</summary>
    public static ProblemDetails DispatchFailed(string jobId, Dispatch.SelfCallResult call) =>
        new("urn:fanout:problem:dispatch-failed", "The job could not be run now; it is stored, resume it later.", 503,
            $"Job '{jobId}' is stored, but its dispatch call ended with {(call.Error ?? $"HTTP {call.StatusCode}")}. Send {{\"action\": \"resume\", \"jobId\": \"{jobId}\"}} to finish it.");

    /// <summary>404: a job's source blob does not exist.</summary>
    public static ProblemDetails SourceNotFound(SourceReference source) =>
        new("urn:fanout:problem:source-not-found", "The source blob does not exist.", 404, source.Blob is not null
            ? $"There is no blob '{source.Blob}' in container '{source.Container}'."
            : $"There is no blob whose name starts with '{source.Prefix}' in container '{source.Container}'.");

    /// <summary>412: a source blob was replaced while a job read it.</summary>
    public static ProblemDetails SourceChanged(SourceReference source) =>
        new("urn:fanout:problem:source-changed", "The source blob changed while it was read.", 412,
            $"Blob '{source.Blob}' in '{source.Container}' is no longer the version the job was planned on (ETag {source.ETag}); its data would be mixed. Start a new job on the new version.");

    /// <summary>412 or 404 while reading a source: replaced since it was planned, or gone.</summary>
    public static ProblemDetails SourceUnreadable(int status, SourceReference source) =>
        status == 412 ? SourceChanged(source) : SourceNotFound(source);

    /// <summary>401: an internal call without a signature.</summary>
    public static ProblemDetails Unsigned(string action) =>
        new("urn:fanout:problem:unsigned", "Signature required.", 401,
            $"This '{action}' is an internal call (dispatch and count_quotes always are; process_chunk is when it names a job, a depth "
            + $"or a source): only the app itself sends it, signed in the {Security.InternalCallSigner.Header} header.");

    /// <summary>403: an internal call whose signature is wrong, stale or replayed.</summary>
    public static ProblemDetails BadSignature(string why) =>
        new("urn:fanout:problem:bad-signature", "Signature refused.", 403, $"The {Security.InternalCallSigner.Header} header {why}.");

    /// <summary>508: an internal call came deeper than the configured maximum.</summary>
    public static ProblemDetails LoopDetected(int depth, int maxDepth) =>
        new("urn:fanout:problem:loop-detected", "Recursion depth exceeded.", 508,
            $"Internal calls would reach depth {depth}, beyond the maximum of {maxDepth} (FanOut__Dispatch__MaxDepth); nothing was sent.");
}
