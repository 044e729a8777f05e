using System.Net;
using FanOut.Core.Telemetry;

namespace FanOut.Core.Dispatch;

/// <summary>Each attempt of a self-call that works for a job first waits out the job's pause, and an answer
/// of 429 (or 503 with Retry-After) pauses the whole job (<see cref="JobThrottle"/>). Such a refusal means
/// the call did not run (a host's throttle, a busy downstream), so the call is sent again when the pause ends,
/// and that is not counted as an attempt: a busy instance slows a job down instead of failing its chunks.
/// It sits inside the retries and outside the per-attempt timeout, so a retry waits too and the wait is not a
/// timeout; the call's own deadline (its cancellation) and <see cref="MaxRefusals"/> bound it.</summary>
internal sealed class BackPressureHandler(JobThrottle throttle, TimeProvider timeProvider) : DelegatingHandler
{
    /// <summary>Refusals an attempt waits out before its answer goes to the retry policy as a failure.</summary>
    public const int MaxRefusals = 50;

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(SelfClient.JobOption, out var jobId))
        {
            return await SendAttemptAsync(request, cancellationToken).ConfigureAwait(false);
        }
        for (var refusals = 1; ; refusals++)
        {
            await throttle.WaitAsync(jobId, cancellationToken).ConfigureAwait(false);
            var response = await SendAttemptAsync(request, cancellationToken).ConfigureAwait(false);
            var retryAfter = RetryDelay.RetryAfter(response.Headers.RetryAfter, timeProvider.GetUtcNow());
            if (response.StatusCode != HttpStatusCode.TooManyRequests
                && (response.StatusCode != HttpStatusCode.ServiceUnavailable || retryAfter is null))
            {
                return response;
            }
            FanOutTelemetry.Pauses.Add(1);
            await throttle.PauseAsync(jobId, retryAfter).ConfigureAwait(false);
            if (refusals == MaxRefusals)
            {
                return response;
            }
            response.Dispose();
        }
    }

    // Every attempt that goes on the wire passes here once, a retry's and a re-sent refusal's alike.
    private Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        FanOutTelemetry.SelfCallAttempts.Add(1);
        return base.SendAsync(request, cancellationToken);
    }
}
