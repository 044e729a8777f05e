using Microsoft.Extensions.Logging;

namespace FanOut.Core.Diagnostics;

/// <summary>Every log message of FanOut.Core, with its event id.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "Self-call {Operation}: attempt {Attempt} after {Outcome}, waiting {DelayMs:F0} ms")]
    public static partial void Retrying(ILogger logger, string? operation, int attempt, string outcome, double delayMs);

    [LoggerMessage(1002, LogLevel.Warning, "Self-call circuit opened for {Seconds:F0} s after repeated failures")]
    public static partial void CircuitOpened(ILogger logger, double seconds);

    [LoggerMessage(1003, LogLevel.Information, "Self-call circuit closed")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(1004, LogLevel.Warning, "Job {JobId}: chunk {Chunk} failed after {Attempts} attempt(s): {Error}")]
    public static partial void ChunkFailed(ILogger logger, string jobId, int chunk, int attempts, string error);

    [LoggerMessage(1005, LogLevel.Warning, "Job {JobId}: the failure of chunk {Chunk} could not be recorded; it stays pending: {Error}")]
    public static partial void FailureNotRecorded(ILogger logger, string jobId, int chunk, string error);

    [LoggerMessage(1006, LogLevel.Warning, "Storage unavailable during {Action}: {Error}")]
    public static partial void StorageUnavailable(ILogger logger, string action, string error);

    [LoggerMessage(1007, LogLevel.Warning, "Job {JobId}: the dispatcher of chunks {First}+{Count} gave no result (HTTP {Status}) {Error}; they stay unfinished")]
    public static partial void SubtreeFailed(ILogger logger, string jobId, int first, int count, int status, string error);

    [LoggerMessage(1008, LogLevel.Warning, "Job {JobId}: committed chunk {Chunk} could not be read; it stays unfinished: {Error}")]
    public static partial void CommittedChunkUnread(ILogger logger, string jobId, int chunk, string error);

    [LoggerMessage(1025, LogLevel.Warning, "Job {JobId}: the recorded tally of chunks {First} (+{Count}) could not be read or written; the range is walked: {Error}")]
    public static partial void RangeTallyUnread(ILogger logger, string jobId, int first, int count, string error);

    [LoggerMessage(1026, LogLevel.Warning, "Job {JobId}: what the run hands its next hop could not be written; the next hop lists the job's committed chunks: {Error}")]
    public static partial void HandOverNotWritten(ILogger logger, string jobId, string error);

    [LoggerMessage(1009, LogLevel.Warning, "Job {JobId}: run ended with {Unfinished} chunk(s) unfinished (cancelled: {Cancelled}); resume finishes them")]
    public static partial void RunIncomplete(ILogger logger, string jobId, int unfinished, bool cancelled);

    [LoggerMessage(1010, LogLevel.Warning, "Job {JobId}: paused for {Milliseconds:F0} ms: a self-call was answered 429 or 503 with Retry-After")]
    public static partial void JobPaused(ILogger logger, string jobId, double milliseconds);

    [LoggerMessage(1011, LogLevel.Warning, "Job {JobId}: its pause could not be shared through the ledger: {Error}")]
    public static partial void PauseNotShared(ILogger logger, string jobId, string error);

    [LoggerMessage(1012, LogLevel.Information, "Job {JobId}: run {RunId} did not start: another run holds the job")]
    public static partial void RunAlreadyHeld(ILogger logger, string jobId, string runId);

    [LoggerMessage(1013, LogLevel.Information, "Job {JobId}: run met its deadline with {Unfinished} chunk(s) left; hop {Hop} of at most {MaxHops} takes over")]
    public static partial void RunHandsOver(ILogger logger, string jobId, int unfinished, int hop, int maxHops);

    [LoggerMessage(1014, LogLevel.Warning, "Job {JobId}: hop {Hop} could not be started ({Error}); the run ends Incomplete, resume finishes it")]
    public static partial void HandOverFailed(ILogger logger, string jobId, int hop, string error);

    [LoggerMessage(1015, LogLevel.Warning, "Job {JobId}: the run's lease could not be let go; it expires by itself: {Error}")]
    public static partial void LeaseNotReleased(ILogger logger, string jobId, string error);

    [LoggerMessage(1016, LogLevel.Warning, "Job {JobId}: run {RunId} could not renew its lease; it tries again at its next heartbeat: {Error}")]
    public static partial void LeaseNotRenewed(ILogger logger, string jobId, string runId, string error);

    [LoggerMessage(1017, LogLevel.Information, "Job {JobId}: run {RunId} waited {Waited} for the job's lease and took it (its holder let it go, or died and stopped renewing it)")]
    public static partial void LeaseTakenAfterWait(ILogger logger, string jobId, string runId, TimeSpan waited);

    [LoggerMessage(1018, LogLevel.Warning, "Job {JobId}: the progress of the leaf from chunk {First} could not be written; the job's status lags until its next line: {Error}")]
    public static partial void ProgressNotWritten(ILogger logger, string jobId, int first, string error);

    [LoggerMessage(1019, LogLevel.Warning, "Job {JobId}: run {RunId} no longer holds the job (its lease expired and another run took it over): it writes no result")]
    public static partial void RunLostTheJob(ILogger logger, string jobId, string runId);

    [LoggerMessage(1020, LogLevel.Warning, "Job {JobId}: its completion notice was not delivered: {Error}")]
    public static partial void NoticeNotDelivered(ILogger logger, string jobId, string error);

    [LoggerMessage(1021, LogLevel.Warning, "Job {JobId}: its completion notice could not be handed to a notify invocation; the next status read tries again: {Error}")]
    public static partial void NoticeNotHandedOver(ILogger logger, string jobId, string error);

    [LoggerMessage(1022, LogLevel.Warning, "Job {JobId}: its run {RunId} is gone (its lease lapsed with no result): the watchdog resumes it ({Count} of at most {Max} times)")]
    public static partial void WatchdogResumes(ILogger logger, string jobId, string runId, int count, int max);

    [LoggerMessage(1023, LogLevel.Warning, "Job {JobId}: the watchdog could not resume it; the next pass tries again: {Error}")]
    public static partial void WatchdogResumeFailed(ILogger logger, string jobId, string error);

    [LoggerMessage(1024, LogLevel.Debug, "Watchdog pass: {Read} index entries read, {Active} active, {Gone} with their run gone, {Resumed} resumed")]
    public static partial void WatchdogPass(ILogger logger, int read, int active, int gone, int resumed);

    [LoggerMessage(1030, LogLevel.Information, "Job {JobId}: a caller asked to wait {WaitSeconds} s is answered at once: {Cap} caller(s) wait on this instance already (FanOut:Platform)")]
    public static partial void WaitingCallersFull(ILogger logger, string jobId, int waitSeconds, int cap);

    [LoggerMessage(1031, LogLevel.Information, "A {Action} was answered 503 at once: {Limit} invocations like it, which wait for others, run on this instance already (FanOut:Platform)")]
    public static partial void InstanceBusy(ILogger logger, string action, int limit);

    [LoggerMessage(1101, LogLevel.Information, "Storage check: {Setting} works (container {Container})")]
    public static partial void StorageReady(ILogger logger, string setting, string container);

    [LoggerMessage(1102, LogLevel.Error, "Storage check failed: {Setting}: {Detail} ({Reason}). Every request is answered 503 until it works; it is checked again at most every {Seconds} s, on a request")]
    public static partial void StorageMisconfigured(ILogger logger, string setting, string detail, string reason, double seconds);

    [LoggerMessage(1103, LogLevel.Warning, "Storage check failed: {Setting}: {Detail} ({Reason}). Requests are answered 503 until it works")]
    public static partial void StorageUnreachable(ILogger logger, string setting, string detail, string reason);

    [LoggerMessage(1140, LogLevel.Information, "Job {JobId}: run {RunId} waits {Milliseconds:F0} ms for the calls of the run before it to be over before it sends anything")]
    public static partial void RunWaitsForQuiet(ILogger logger, string jobId, string runId, double milliseconds);

    [LoggerMessage(1141, LogLevel.Debug, "Job {JobId}: chunk {Chunk}'s call came after its run's deadline; refused, nothing processed")]
    public static partial void ChunkCallLate(ILogger logger, string jobId, int chunk);
}
