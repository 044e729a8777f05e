using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FanOut.LocalHost.Adapters;

/// <summary>The worker's <see cref="HttpResponseData"/>, buffered as the worker buffers it, then
/// written to the ASP.NET Core response when the function returns.</summary>
internal sealed class LocalHttpResponseData(FunctionContext context) : HttpResponseData(context)
{
    public override HttpStatusCode StatusCode { get; set; } = HttpStatusCode.OK;

    public override HttpHeadersCollection Headers { get; set; } = [];

    public override Stream Body { get; set; } = new MemoryStream();

    public override HttpCookies Cookies { get; } = new LocalHttpCookies();

    public async Task WriteToAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = (int)StatusCode;
        // NonValidated: the values as the function set them, without the parsing (and its locks) of HttpHeaders.
        foreach (var header in Headers.NonValidated)
        {
            response.Headers[header.Key] = header.Value.ToArray();
        }
        foreach (var cookie in ((LocalHttpCookies)Cookies).All)
        {
            response.Cookies.Append(cookie.Name, cookie.Value);
        }
        if (Body is MemoryStream buffered && buffered.TryGetBuffer(out var written))
        {
            response.ContentLength = written.Count;
            await response.Body.WriteAsync(written, cancellationToken);
            return;
        }
        Body.Position = 0;
        await Body.CopyToAsync(response.Body, cancellationToken);
    }
}
