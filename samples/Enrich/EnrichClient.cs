using System.Net;
using System.Text.Json.Nodes;
using FanOut.Core.Processing;

namespace FanOut.Samples.Enrich;

/// <summary>The downstream API, through its own typed HttpClient (base address <c>Enrich:BaseUrl</c>).</summary>
public sealed class EnrichClient(HttpClient http)
{
    /// <summary><c>GET items/{id}</c>: the item's JSON object, or null when the downstream does not know it (404).</summary>
    /// <exception cref="DownstreamThrottledException">The downstream answered 429: the job slows down.</exception>
    /// <exception cref="HttpRequestException">Any other failure: the chunk's attempt fails and is retried.</exception>
    public async Task<JsonObject?> GetItemAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"items/{Uri.EscapeDataString(id)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var retryAfter = response.Headers.RetryAfter is { } header
                ? header.Delta ?? header.Date - DateTimeOffset.UtcNow
                : null;
            throw new DownstreamThrottledException(retryAfter, $"GET items/{id} was answered 429.");
        }
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonNode.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
            ?? throw new HttpRequestException($"GET items/{id} did not answer a JSON object.");
    }
}
