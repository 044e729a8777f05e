using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using FanOut.Core.Configuration;
using FanOut.Core.Telemetry;
using Microsoft.Extensions.Options;
using Polly;

namespace FanOut.Core.Dispatch;

/// <summary>The typed HttpClient of self-calls: POSTs to this app's own <c>/api/batch</c>, at the
/// configured self URL only, with the configured function key, through <see cref="SelfCallPolicy"/>.</summary>
internal sealed class SelfClient(HttpClient http, IOptions<FanOutOptions> options) : ISelfCaller
{
    /// <summary>Path of the batch endpoint below the self URL (host.json's routePrefix is "api").</summary>
    public const string BatchPath = "api/batch";

    /// <summary>The name of a self-call's span.</summary>
    public const string SpanName = "self_call";

    /// <summary>Tag of a self-call's span: its idempotency key (job and chunk, or job and action).</summary>
    public const string OperationTag = "fanout.operation";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    /// <summary>POSTs a JSON body to the batch endpoint. Transport failures that outlast the retries come
    /// back as a result with <see cref="SelfCallResult.Error"/>, not as exceptions; cancellation throws.</summary>
    /// <param name="body">The request body, UTF-8 JSON.</param>
    /// <param name="operationKey">Idempotency key of the call (job and chunk), for logs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="attemptTimeout">Time limit of each attempt, instead of the configured one.</param>
    /// <param name="jobId">The job the call works for, whose back-pressure it observes and reports.</param>
    public Task<SelfCallResult> PostBatchAsync(
        byte[] body, string operationKey, CancellationToken cancellationToken = default, TimeSpan? attemptTimeout = null, string? jobId = null) =>
        PostAsync(BatchPath, body, operationKey, cancellationToken, attemptTimeout, jobId);

    /// <summary>The request option that names the job a self-call works for.</summary>
    public static readonly HttpRequestOptionsKey<string> JobOption = new("fanout.job");

    /// <summary>The request option that holds the body a self-call sends, for its signature.</summary>
    public static readonly HttpRequestOptionsKey<ReadOnlyMemory<byte>> BodyOption = new("fanout.body");

    // Any path below the self URL: the benchmark measures the client stack's ceiling against a no-op route.
    internal async Task<SelfCallResult> PostAsync(
        string path, byte[] body, string operationKey, CancellationToken cancellationToken, TimeSpan? attemptTimeout = null, string? jobId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        request.Options.Set(BodyOption, body);
        if (jobId is not null)
        {
            request.Options.Set(JobOption, jobId);
        }
        if (options.Value.FunctionKey is { Length: > 0 } key)
        {
            request.Headers.Add("x-functions-key", key);
        }
        var context = new Context(operationKey) { [SelfCallPolicy.AttemptsKey] = 1 };
        if (attemptTimeout is { } timeout)
        {
            context[SelfCallPolicy.AttemptTimeoutKey] = timeout;
        }
        request.SetPolicyExecutionContext(context);

        // The call as a whole, its retries included: each attempt is HttpClient's client span below it; this one says
        // how the call ended after the last of them.
        using var activity = FanOutTelemetry.Start(SpanName, jobId);
        activity?.SetTag(OperationTag, operationKey);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return Ended(activity, new SelfCallResult((int)response.StatusCode, answer, AttemptsOf(context)));
        }
        // Whatever the connection or a policy rejects with (every Polly rejection is an ExecutionRejectedException: a timeout,
        // an open or isolated circuit, a full bulkhead, a rate limit), unless the caller itself cancelled.
        catch (Exception ex) when (ex is HttpRequestException or ExecutionRejectedException or IOException or OperationCanceledException
                                   && !cancellationToken.IsCancellationRequested)
        {
            FanOutTelemetry.Fail(activity, ex);
            return Ended(activity, new SelfCallResult(0, [], AttemptsOf(context), $"{ex.GetType().Name}: {ex.Message}"));
        }
    }

    // An answer that is not 2xx fails the call's span, with its status code as the error type (as HTTP's semantic
    // conventions have it); a transport failure was marked with its exception.
    private static SelfCallResult Ended(Activity? activity, SelfCallResult result)
    {
        activity?.SetTag("fanout.attempts", result.Attempts);
        if (result.StatusCode != 0 && !result.IsSuccess)
        {
            var status = result.StatusCode.ToString(CultureInfo.InvariantCulture);
            FanOutTelemetry.Fail(activity, status, $"HTTP {status}");
        }
        return result;
    }

    private static int AttemptsOf(Context context) => (int)context[SelfCallPolicy.AttemptsKey];
}
