using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FanOut.LocalHost.Adapters;

/// <summary>An ASP.NET Core request seen as the worker's <see cref="HttpRequestData"/>.</summary>
internal sealed class LocalHttpRequestData(HttpContext http, FunctionContext context) : HttpRequestData(context)
{
    private HttpHeadersCollection? _headers;

    public override Stream Body => http.Request.Body;

    public override HttpHeadersCollection Headers =>
        _headers ??= new HttpHeadersCollection(http.Request.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value.ToArray()!)));

    public override IReadOnlyCollection<IHttpCookie> Cookies =>
        [.. http.Request.Cookies.Select(c => (IHttpCookie)new HttpCookie(c.Key, c.Value))];

    public override Uri Url => new(http.Request.GetDisplayUrl());

    public override IEnumerable<ClaimsIdentity> Identities => http.User.Identities;

    public override string Method => http.Request.Method;

    public override HttpResponseData CreateResponse() => new LocalHttpResponseData(FunctionContext);
}
