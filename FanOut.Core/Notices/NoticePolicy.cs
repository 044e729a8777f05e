using System.Net;
using Polly;
using Polly.Timeout;

namespace FanOut.Core.Notices;

/// <summary>How a completion notice is sent: four retries of a transient failure (0.5, 1, 2 and 4 s apart by default,
/// <c>FanOut__Notify__RetryDelayMilliseconds</c>), 10 s per attempt,
/// no redirect followed, the answer's body never read (at most <see cref="MaxDrainBytes"/> are drained off the connection).</summary>
internal static class NoticePolicy
{
    /// <summary>The time limit of one attempt.</summary>
    public static readonly TimeSpan AttemptLimit = TimeSpan.FromSeconds(10);

    /// <summary>Attempts in all.</summary>
    public const int Attempts = 5;

    /// <summary>What the handler may read of an answer's body to keep its connection (the body itself is never read).</summary>
    public const int MaxDrainBytes = 16 * 1024;

    /// <summary>How long a sender holds its claim on a notice: every attempt and back-off fit well within it.</summary>
    public static readonly TimeSpan ClaimTerm = TimeSpan.FromMinutes(2);

    /// <summary>The retries, outermost: <paramref name="firstDelay"/>, then twice as long each time.</summary>
    public static IAsyncPolicy<HttpResponseMessage> Retry(TimeSpan firstDelay) => Policy<HttpResponseMessage>
        .Handle<HttpRequestException>().Or<TimeoutRejectedException>()
        .OrResult(response => IsTransient(response.StatusCode))
        .WaitAndRetryAsync(Attempts - 1, attempt => firstDelay * Math.Pow(2, attempt - 1));

    /// <summary>The time limit of one attempt, innermost.</summary>
    public static IAsyncPolicy<HttpResponseMessage> AttemptTimeout { get; } = Policy.TimeoutAsync<HttpResponseMessage>(AttemptLimit);

    /// <summary>The connection handler: a redirect is an answer (a failed attempt), never followed, so a notice goes only to the
    /// URL whose host the allow-list let through; an unread body is drained no further than <see cref="MaxDrainBytes"/>.</summary>
    public static SocketsHttpHandler Connection() => new()
    {
        AllowAutoRedirect = false,
        MaxResponseDrainSize = MaxDrainBytes,
        MaxResponseHeadersLength = 16, // KiB
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>Whether a notice is worth sending again: 408, 429 or a 5xx (a connection failure is, too).</summary>
    public static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
