using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Contracts;
using Polly;

namespace FanOut.Cli.Api;

/// <summary>Calls a FanOut app's <c>/api/batch</c>, with its function key in <c>x-functions-key</c> (never in the URL,
/// so no URL the CLI prints or an error names holds it). Transient failures are retried (<see cref="TransientRetry"/>):
/// every call is safe to repeat, since <c>fanout run</c> always names its job.</summary>
internal sealed class FanOutClient(HttpClient http, string? key, IAsyncPolicy<HttpResponseMessage> retry) : IJobApi, IDisposable
{
    /// <summary>The header the Functions host reads a function key from.</summary>
    public const string KeyHeader = "x-functions-key";

    private const string Batch = "api/batch";

    /// <summary>A client of the app at <paramref name="appUrl"/> (its root, e.g. <c>https://my-app.example</c>).</summary>
    public static FanOutClient Create(Uri appUrl, string? key, TimeProvider clock)
    {
        var root = appUrl.AbsoluteUri.EndsWith('/') ? appUrl : new Uri(appUrl.AbsoluteUri + "/");
        // No client-wide timeout: a call waits as long as its waitSeconds, and the caller's token bounds the rest.
        var http = new HttpClient { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
        return new FanOutClient(http, key, TransientRetry.Create(clock));
    }

    public void Dispose() => http.Dispose();

    public Task<ApiAnswer> StartAsync(JsonObject request, CancellationToken cancellationToken = default) =>
        SendAsync(() => Post(request), cancellationToken);

    public Task<ApiAnswer> StatusAsync(string jobId, CancellationToken cancellationToken = default) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{Batch}/{Uri.EscapeDataString(jobId)}"), cancellationToken);

    public Task<ApiAnswer> ResumeAsync(string jobId, int waitSeconds, CancellationToken cancellationToken = default) =>
        SendAsync(() => Post(new JsonObject { ["action"] = "resume", ["jobId"] = jobId, ["waitSeconds"] = waitSeconds }), cancellationToken);

    public Task<ApiAnswer> CancelAsync(string jobId, int waitSeconds, CancellationToken cancellationToken = default) =>
        SendAsync(() => Post(new JsonObject { ["action"] = "cancel", ["jobId"] = jobId, ["waitSeconds"] = waitSeconds }), cancellationToken);

    public Task<ApiAnswer> UpdateAsync(string jobId, int maxConcurrency, CancellationToken cancellationToken = default) =>
        SendAsync(() => Post(new JsonObject { ["action"] = "update", ["jobId"] = jobId, ["maxConcurrency"] = maxConcurrency }), cancellationToken);

    private static HttpRequestMessage Post(JsonObject body) => new(HttpMethod.Post, Batch)
    {
        Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    // Every attempt sends a request of its own (a request message is sent once).
    private async Task<ApiAnswer> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        using var response = await retry.ExecuteAsync(async token =>
        {
            using var request = build();
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (key is not null)
            {
                request.Headers.TryAddWithoutValidation(KeyHeader, key);
            }
            return await http.SendAsync(request, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        return response.IsSuccessStatusCode
            ? new ApiAnswer(status, body, Read(body, LenientJson.Job), null)
            : new ApiAnswer(status, body, null, Read(body, LenientJson.Problem) ?? new ProblemDetails(
                Type: "about:blank",
                Title: response.ReasonPhrase ?? $"HTTP {status}",
                Status: status,
                Detail: status is 401 or 403 ? "The app did not accept the function key (--key or FANOUT_KEY)." : ""));
    }

    // A body that is not the JSON expected (a plan of a dry run, an empty 401) reads as null.
    private static T? Read<T>(string body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out _)
                ? document.RootElement.Deserialize(type)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
