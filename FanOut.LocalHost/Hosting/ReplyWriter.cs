using FanOut.Core.Http;
using Microsoft.AspNetCore.Http;

namespace FanOut.LocalHost.Hosting;

/// <summary>Writes an answer the host gives on its own (a problem of Core's <see cref="HostReplies"/> or of the storage
/// check) as the function app writes its own: status, content type, headers, body.</summary>
internal static class ReplyWriter
{
    /// <summary>The header the app's middleware stamps every answer with (FanOut.Functions' InvocationIdHeader).</summary>
    public const string InvocationIdHeader = "X-FanOut-Invocation-Id";

    public static async Task WriteAsync(HttpResponse response, BatchReply reply, string? invocationId = null)
    {
        response.StatusCode = reply.StatusCode;
        response.Headers.ContentType = reply.ContentType;
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers[name] = value;
        }
        if (invocationId is not null)
        {
            response.Headers[InvocationIdHeader] = invocationId;
        }
        response.ContentLength = reply.Body.Length;
        // The answer is small and in memory; it is written even when the caller has gone, as the app writes its own.
        await response.Body.WriteAsync(reply.Body, CancellationToken.None);
    }
}
