using System.Net;
using Polly;

namespace FanOut.Cli.Api;

/// <summary>Retries what may pass: a connection error, 408, 429 and 5xx (but 501, 505 and 508), five attempts in all,
/// waiting what Retry-After asks (the app's 503 while it starts, a storage outage) or 1, 2, 4, 8 s; never more than 30 s.</summary>
internal static class TransientRetry
{
    public const int Attempts = 5;

    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public static IAsyncPolicy<HttpResponseMessage> Create(TimeProvider clock) => Policy<HttpResponseMessage>
        .Handle<HttpRequestException>()
        .OrResult(response => IsTransient(response.StatusCode))
        .WaitAndRetryAsync(
            Attempts - 1,
            sleepDurationProvider: (retry, outcome, _) => Delay(retry, outcome.Result, clock.GetUtcNow()),
            onRetryAsync: (outcome, _, _, _) =>
            {
                outcome.Result?.Dispose();
                return Task.CompletedTask;
            });

    public static bool IsTransient(HttpStatusCode status) => status switch
    {
        HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests => true,
        HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported or HttpStatusCode.LoopDetected => false,
        _ => (int)status >= 500,
    };

    private static TimeSpan Delay(int retry, HttpResponseMessage? response, DateTimeOffset now)
    {
        var header = response?.Headers.RetryAfter;
        var asked = header?.Delta ?? (header?.Date is { } date ? date - now : null);
        var wait = asked ?? TimeSpan.FromSeconds(Math.Pow(2, retry - 1));
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxDelay ? MaxDelay : wait;
    }
}
