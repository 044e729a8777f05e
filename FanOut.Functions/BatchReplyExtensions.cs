using System.Net;
using FanOut.Core.Http;
using Microsoft.Azure.Functions.Worker.Http;

namespace FanOut.Functions;

/// <summary>Maps Core's host-neutral <see cref="BatchReply"/> onto the worker's HTTP response.</summary>
internal static class BatchReplyExtensions
{
    public static async Task<HttpResponseData> ToResponseAsync(this BatchReply reply, HttpRequestData request)
    {
        var response = request.CreateResponse((HttpStatusCode)reply.StatusCode);
        response.Headers.Add("Content-Type", reply.ContentType);
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers.Add(name, value);
        }
        // The work is done and the body is in memory: it is written even when the caller has gone (a cancelled
        // token here would turn a finished invocation into a failed one in the host's log).
        await response.Body.WriteAsync(reply.Body, CancellationToken.None);
        return response;
    }
}
