using System.Net;

namespace FanOut.Core.Dispatch;

/// <summary>Each attempt of a self-call that works for a job first waits out the job's pause, and an answer
/// of 429 (or 503 with Retry-After) pauses the whole job (<see cref="JobThrottle"/>). It sits inside the
/// retries and outside the per-attempt timeout, so a retry waits too and the wait is not a timeout.</summary>
public sealed class BackPressureHandler(JobThrottle throttle, TimeProvider timeProvider) : DelegatingHandler
{
    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(SelfClient.JobOption, out var jobId))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        await throttle.WaitAsync(jobId, cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var retryAfter = RetryDelay.RetryAfter(response.Headers.RetryAfter, timeProvider.GetUtcNow());
        if (response.StatusCode == HttpStatusCode.TooManyRequests
            || (response.StatusCode == HttpStatusCode.ServiceUnavailable && retryAfter is not null))
        {
            await throttle.PauseAsync(jobId, retryAfter).ConfigureAwait(false);
        }
        return response;
    }
}
