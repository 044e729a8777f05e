using Microsoft.Azure.Functions.Worker.Http;

namespace FanOut.LocalHost.Adapters;

/// <summary>Response cookies, kept until the response is written.</summary>
internal sealed class LocalHttpCookies : HttpCookies
{
    private readonly List<IHttpCookie> _cookies = [];

    public IReadOnlyList<IHttpCookie> All => _cookies;

    public override void Append(string name, string value) => _cookies.Add(new HttpCookie(name, value));

    public override void Append(IHttpCookie cookie) => _cookies.Add(cookie);

    public override IHttpCookie CreateNew() => new HttpCookie(string.Empty, string.Empty);
}
