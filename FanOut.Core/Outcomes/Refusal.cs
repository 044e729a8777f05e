using FanOut.Core.Contracts;
using FanOut.Core.Requests;

namespace FanOut.Core.Outcomes;

/// <summary>Why a request was turned down. The kind decides the HTTP status at the edge.</summary>
internal enum RefusalKind
{
    /// <summary>A field is wrong; the errors name it.</summary>
    Invalid,
    /// <summary>The body is not a JSON object.</summary>
    MalformedJson,
    /// <summary>The body is over the size limit.</summary>
    TooLarge,
    /// <summary>No such job.</summary>
    UnknownJob,
    /// <summary>The job id is taken by another request.</summary>
    JobIdReused,
    /// <summary>Storage failed; try again.</summary>
    Unavailable,
    /// <summary>The instance runs as many invocations that wait for others as it lets run; try again.</summary>
    InstanceBusy,
    /// <summary>The job is stored but its run could not be started.</summary>
    DispatchFailed,
    /// <summary>A source blob does not exist.</summary>
    SourceNotFound,
    /// <summary>A source blob was replaced.</summary>
    SourceChanged,
    /// <summary>An internal call without a signature.</summary>
    Unsigned,
    /// <summary>An internal call with a wrong, stale or replayed signature.</summary>
    BadSignature,
    /// <summary>Internal calls would go deeper than allowed.</summary>
    LoopDetected,
    /// <summary>The processor's downstream service refuses it for now; nothing was committed, try again after the pause.</summary>
    Throttled,
    /// <summary>The job ended (Succeeded or Failed; for an update, Cancelled too): there is nothing to cancel or change.</summary>
    AlreadyEnded,
    /// <summary>A run holds the job: it cannot be purged now.</summary>
    JobRunning,
    /// <summary>A purge is deleting the job: there is nothing left to cancel or change.</summary>
    BeingPurged,
    /// <summary>An internal call read after its sender's deadline: its run is over, nothing was done.</summary>
    Late,
}

/// <summary>A request turned down, with what the caller needs to know to fix it. The words are chosen here;
/// the HTTP edge (Http/Problems) only adds the status, type and title of its kind.</summary>
internal sealed record Refusal(RefusalKind Kind, string Detail, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    /// <summary>How long the caller should wait before trying again, when the refusal says (a throttled chunk).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A purge of a job that a run holds.</summary>
    public static Refusal JobRunning(string jobId) => new(RefusalKind.JobRunning,
        $"Job '{jobId}' is running. Cancel it first ({{\"action\": \"cancel\", \"jobId\": \"{jobId}\"}}), then delete it.");

    /// <summary>A cancel (or <paramref name="what"/>: another change) of a job that a purge is deleting.</summary>
    public static Refusal BeingPurged(string jobId, string what = "there is nothing to cancel") =>
        new(RefusalKind.BeingPurged, $"Job '{jobId}' is being deleted (purge): {what}.");

    /// <summary>A cancel (or <paramref name="what"/>: another change) of a job that has ended.</summary>
    public static Refusal AlreadyEnded(string jobId, JobStatus status, string what = "there is nothing to cancel") =>
        new(RefusalKind.AlreadyEnded, $"Job '{jobId}' has ended {status}: {what}.");

    /// <summary>A request with field errors.</summary>
    public static Refusal Invalid(FieldErrors errors) => new(RefusalKind.Invalid, errors.Summary(), errors.ToDictionary());

    /// <summary>One field in error.</summary>
    public static Refusal Invalid(string field, string message)
    {
        var errors = new FieldErrors();
        errors.Add(field, message);
        return Invalid(errors);
    }

    /// <summary>The body is not JSON, or not an object.</summary>
    public static Refusal MalformedJson(string detail) => new(RefusalKind.MalformedJson, detail);

    /// <summary>The body is larger than the configured limit.</summary>
    public static Refusal TooLarge(long limitBytes) =>
        new(RefusalKind.TooLarge, $"The body is larger than the limit of {limitBytes} bytes (FanOut__Limits__MaxRequestBytes).");

    /// <summary>No such job.</summary>
    public static Refusal UnknownJob(string jobId) => new(RefusalKind.UnknownJob, $"There is no job '{jobId}'.");

    /// <summary>The job id is taken by a different request.</summary>
    public static Refusal JobIdReused(string jobId) => new(RefusalKind.JobIdReused,
        $"Job '{jobId}' exists with a different processor, options, chunking, tolerance or items. Use another jobId, or send the same request to get that job.");

    /// <summary>Storage (or another dependency) failed transiently.</summary>
    public static Refusal Unavailable(string detail) => new(RefusalKind.Unavailable, detail);

    /// <summary>An invocation that would wait for others on an instance where as many wait already as it lets wait.</summary>
    public static Refusal InstanceBusy(string action, int limit) => new(RefusalKind.InstanceBusy,
        $"This instance runs as many invocations like '{action}' ({limit}) as it lets run at once, which wait for other invocations, and keeps its other slots for the work they wait for; it was not started, nothing was stored. Try again after Retry-After.");

    /// <summary>The job is stored but its dispatch run could not be started or failed.</summary>
    public static Refusal DispatchFailed(string jobId, string how) => new(RefusalKind.DispatchFailed,
        $"Job '{jobId}' is stored, but its dispatch call ended with {how}. Send {{\"action\": \"resume\", \"jobId\": \"{jobId}\"}} to finish it.");

    /// <summary>A job's source blob does not exist.</summary>
    public static Refusal SourceNotFound(SourceReference source) => new(RefusalKind.SourceNotFound, source.Blob is not null
        ? $"There is no blob '{source.Blob}' in container '{source.Container}'."
        : $"There is no blob whose name starts with '{source.Prefix}' in container '{source.Container}'.");

    /// <summary>A source blob was replaced while a job read it.</summary>
    public static Refusal SourceChanged(SourceReference source) => new(RefusalKind.SourceChanged,
        $"Blob '{source.Blob}' in '{source.Container}' is no longer the version the job was planned on (ETag {source.ETag}); its data would be mixed. Start a new job on the new version.");

    /// <summary>412 or 404 from storage while reading a source: replaced since it was planned, or gone.</summary>
    public static Refusal SourceUnreadable(int status, SourceReference source) =>
        status == 412 ? SourceChanged(source) : SourceNotFound(source);

    /// <summary>An internal call without a signature.</summary>
    public static Refusal Unsigned(string action) => new(RefusalKind.Unsigned,
        $"This '{action}' is an internal call (dispatch and count_quotes always are; process_chunk is when it names a job, a depth "
        + $"or a source): only the app itself sends it, signed in the {Security.InternalCallSigner.Header} header.");

    /// <summary>An internal call whose signature is wrong, stale or replayed.</summary>
    public static Refusal BadSignature(string why) =>
        new(RefusalKind.BadSignature, $"The {Security.InternalCallSigner.Header} header {why}.");

    /// <summary>A processor's downstream refuses it (the processor threw DownstreamThrottledException): nothing of the
    /// chunk was committed; the job pauses for <paramref name="retryAfter"/> (1 s when null) and sends it again.</summary>
    public static Refusal Throttled(string processor, string why, TimeSpan? retryAfter) => new(RefusalKind.Throttled,
        $"Processor '{processor}': {why} Nothing of the chunk was committed; send it again after Retry-After.")
    {
        RetryAfter = retryAfter,
    };

    /// <summary>A chunk's call read after its sender's deadline.</summary>
    public static Refusal Late(int chunk, DateTimeOffset deadline) => new(RefusalKind.Late,
        $"Chunk {chunk}'s call came after its sender's deadline ({deadline:O}); its run is over and nothing was processed. The next run sends it again.");

    /// <summary>An internal call came deeper than the configured maximum.</summary>
    public static Refusal LoopDetected(int depth, int maxDepth) => new(RefusalKind.LoopDetected,
        $"Internal calls would reach depth {depth}, beyond the maximum of {maxDepth} (FanOut__Dispatch__MaxDepth); nothing was sent.");
}
