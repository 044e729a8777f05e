using System.Net;
using FanOut.Core.Http;
using Microsoft.Azure.Functions.Worker.Http;

namespace FanOut.Functions;

/// <summary>Maps Core's host-neutral <see cref="BatchReply"/> onto the worker's HTTP response.</summary>
internal static class BatchReplyExtensions
{
    public static async Task<HttpResponseData> ToResponseAsync(this BatchReply reply, HttpRequestData request, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse((HttpStatusCode)reply.StatusCode);
        response.Headers.Add("Content-Type", reply.ContentType);
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers.Add(name, value);
        }
        await response.Body.WriteAsync(reply.Body, cancellationToken);
        return response;
    }
}
