namespace FanOut.Core.Processing;

/// <summary>Thrown by a processor whose downstream service refuses it for now (it answered 429, say): "slow the whole
/// job down". The chunk stops and nothing of it is committed; its call is answered 429 with <c>Retry-After</c>, so
/// the job's dispatchers pause the whole job (on every instance) and send the chunk again when the pause ends,
/// without spending one of its attempts. Any other exception fails the chunk's attempt, as before.</summary>
public sealed class DownstreamThrottledException : Exception
{
    /// <summary>The downstream refuses; wait <paramref name="retryAfter"/> (as it asked) before trying again.</summary>
    /// <param name="retryAfter">The downstream's <c>Retry-After</c>, or null when it gave none (the job pauses 1 s).</param>
    public DownstreamThrottledException(TimeSpan? retryAfter)
        : this(retryAfter, null)
    {
    }

    /// <summary>The downstream refuses, in the processor's words.</summary>
    /// <param name="retryAfter">The downstream's <c>Retry-After</c>, or null when it gave none (the job pauses 1 s).</param>
    /// <param name="message">What refused, e.g. "GET /items/42 was answered 429."; null for a default.</param>
    /// <param name="innerException">What the processor caught, if anything.</param>
    public DownstreamThrottledException(TimeSpan? retryAfter, string? message, Exception? innerException = null)
        : base(message ?? "A downstream service is throttling the processor.", innerException)
    {
        RetryAfter = retryAfter is { } wait && wait < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
    }

    /// <summary>How long the downstream asked to be left alone (never negative), or null when it did not say.</summary>
    public TimeSpan? RetryAfter { get; }
}
