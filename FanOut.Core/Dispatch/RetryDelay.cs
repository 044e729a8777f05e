using System.Net;
using System.Net.Http.Headers;

namespace FanOut.Core.Dispatch;

/// <summary>How long to wait before the next attempt of a self-call: what the server asked for in
/// Retry-After when it said, else exponential backoff with jitter; never more than the cap.</summary>
internal sealed class RetryDelay(TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider timeProvider, Func<double> random)
{
    /// <param name="retry">1 for the first retry.</param>
    /// <param name="response">The failed attempt's answer, or null when it threw.</param>
    public TimeSpan For(int retry, HttpResponseMessage? response)
    {
        var asked = RetryAfter(response?.Headers.RetryAfter, timeProvider.GetUtcNow());
        if (asked is { } wait)
        {
            return wait < maxDelay ? wait : maxDelay;
        }
        // "Equal jitter": half the exponential delay, plus a random part of the other half, so that
        // retries of many chunks spread out instead of arriving together.
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 16));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + random() * capped / 2);
    }

    /// <summary>The wait a Retry-After header asks for (seconds, or a date), never negative; null without one.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>True for answers worth another attempt: 408, 429 and 5xx but 501, 505 and 508
    /// (a retried 508 would only loop again).</summary>
    public static bool IsTransient(HttpStatusCode status) => status switch
    {
        HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => true,
        HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported or HttpStatusCode.LoopDetected => false,
        _ => (int)status >= 500,
    };
}
