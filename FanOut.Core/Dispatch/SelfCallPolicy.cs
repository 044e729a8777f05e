using FanOut.Core.Configuration;
using FanOut.Core.Diagnostics;
using FanOut.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FanOut.Core.Dispatch;

/// <summary>The resilience of every self-call, outermost first: retry (exponential backoff with jitter,
/// Retry-After honoured) around a circuit breaker around (past the job's back-pressure) a per-attempt timeout. One instance per app,
/// so the breaker sees every call. Only transient failures are retried: connection errors, timeouts,
/// 408, 429 and most 5xx; a 4xx or 508 answer is final.</summary>
internal sealed class SelfCallPolicy
{
    /// <summary>Key of the <see cref="Context"/> entry that counts a call's attempts.</summary>
    public const string AttemptsKey = "fanout.attempts";

    /// <summary>Key of an optional <see cref="Context"/> entry (a TimeSpan) that replaces the configured
    /// per-attempt timeout for one call: a dispatch hop may take up to the hop deadline.</summary>
    public const string AttemptTimeoutKey = "fanout.attemptTimeout";

    internal SelfCallPolicy(DispatchOptions options, TimeProvider timeProvider, ILogger<SelfCallPolicy> logger, Func<double>? random = null)
    {
        var delay = new RetryDelay(
            TimeSpan.FromMilliseconds(options.BaseRetryDelayMilliseconds),
            TimeSpan.FromSeconds(options.MaxRetryDelaySeconds),
            timeProvider,
            random ?? Random.Shared.NextDouble);
        var breakDuration = TimeSpan.FromSeconds(options.BreakerBreakSeconds);

        var attemptTimeout = TimeSpan.FromSeconds(options.AttemptTimeoutSeconds);
        var timeout = Polly.Policy.TimeoutAsync<HttpResponseMessage>(context =>
            context.TryGetValue(AttemptTimeoutKey, out var value) && value is TimeSpan custom ? custom : attemptTimeout);

        var breaker = Policy<HttpResponseMessage>
            .Handle<HttpRequestException>()
            .Or<TimeoutRejectedException>()
            .OrResult(r => RetryDelay.IsTransient(r.StatusCode))
            .AdvancedCircuitBreakerAsync(
                failureThreshold: options.BreakerFailureRatio,
                samplingDuration: TimeSpan.FromSeconds(Math.Max(10, options.BreakerBreakSeconds * 2)),
                minimumThroughput: options.BreakerMinimumThroughput,
                durationOfBreak: breakDuration,
                onBreak: (outcome, wait) => Log.CircuitOpened(logger, wait.TotalSeconds),
                onReset: () => Log.CircuitClosed(logger));

        var retry = Policy<HttpResponseMessage>
            .Handle<HttpRequestException>()
            .Or<TimeoutRejectedException>()
            .Or<BrokenCircuitException>()
            .OrResult(r => RetryDelay.IsTransient(r.StatusCode))
            .WaitAndRetryAsync(
                options.MaxAttempts - 1,
                sleepDurationProvider: (retry, outcome, _) =>
                    outcome.Exception is BrokenCircuitException ? breakDuration : delay.For(retry, outcome.Result),
                onRetryAsync: (outcome, wait, retry, context) =>
                {
                    context[AttemptsKey] = retry + 1;
                    FanOutTelemetry.SelfCallRetries.Add(1);
                    Log.Retrying(logger, context.OperationKey, retry + 1, Describe(outcome), wait.TotalMilliseconds);
                    outcome.Result?.Dispose();
                    return Task.CompletedTask;
                });

        Policy = Polly.Policy.WrapAsync(retry, breaker);
        AttemptTimeout = timeout;
    }

    /// <summary>Builds the policy from the configured options.</summary>
    public SelfCallPolicy(IOptions<FanOutOptions> options, TimeProvider timeProvider, ILogger<SelfCallPolicy> logger)
        : this(options.Value.Dispatch, timeProvider, logger)
    {
    }

    /// <summary>Retry around the circuit breaker: the outer handler of the self-call client.</summary>
    public IAsyncPolicy<HttpResponseMessage> Policy { get; }

    /// <summary>The per-attempt timeout: the inner handler, with <see cref="BackPressureHandler"/> between
    /// the two, so that waiting out a job's pause is not counted against an attempt.</summary>
    public IAsyncPolicy<HttpResponseMessage> AttemptTimeout { get; }

    private static string Describe(DelegateResult<HttpResponseMessage> outcome) =>
        outcome.Exception is { } ex ? ex.GetType().Name : ((int)outcome.Result.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
