namespace FanOut.Core.Dispatch;

/// <summary>Sends one internal call to this app's own batch endpoint and waits for its answer.
/// <see cref="SelfClient"/> does it over HTTP with the retry policies; the orchestration's unit tests do it in process.</summary>
internal interface ISelfCaller
{
    /// <summary>POSTs a JSON body to the batch endpoint. Transport failures that outlast the retries come
    /// back as a result with <see cref="SelfCallResult.Error"/>, not as exceptions; cancellation throws.</summary>
    /// <param name="body">The request body, UTF-8 JSON.</param>
    /// <param name="operationKey">Idempotency key of the call (job and chunk), for logs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="attemptTimeout">Time limit of each attempt, instead of the configured one.</param>
    /// <param name="jobId">The job the call works for, whose back-pressure it observes and reports.</param>
    Task<SelfCallResult> PostBatchAsync(
        byte[] body, string operationKey, CancellationToken cancellationToken = default, TimeSpan? attemptTimeout = null, string? jobId = null);
}
