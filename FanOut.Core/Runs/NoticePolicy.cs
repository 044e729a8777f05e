using Polly;
using Polly.Timeout;

namespace FanOut.Core.Runs;

/// <summary>How a completion notice is sent: four retries of a transient failure (0.5, 1, 2 and 4 s apart), 10 s per attempt.</summary>
internal static class NoticePolicy
{
    /// <summary>The retries, outermost.</summary>
    public static IAsyncPolicy<HttpResponseMessage> Retry { get; } = Policy<HttpResponseMessage>
        .Handle<HttpRequestException>().Or<TimeoutRejectedException>()
        .OrResult(response => JobNotifier.IsTransient(response.StatusCode))
        .WaitAndRetryAsync(4, attempt => TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1)));

    /// <summary>The time limit of one attempt, innermost.</summary>
    public static IAsyncPolicy<HttpResponseMessage> AttemptTimeout { get; } = Policy.TimeoutAsync<HttpResponseMessage>(TimeSpan.FromSeconds(10));
}
