using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FanOut.Core.Configuration;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Notices;

/// <summary>Signs every attempt of a notice with its own timestamp (inside the retries), so that a receiver that checks the
/// timestamp's age never sees the first attempt's stamp on the last one. Header <see cref="Header"/>:
/// <c>t={unix seconds},sha256={hex HMAC-SHA256 of "{t}.{body}"}</c>, keyed with <c>FanOut__Notify__SigningKey</c>.</summary>
internal sealed class NoticeSigningHandler(IOptions<FanOutOptions> options, TimeProvider timeProvider) : DelegatingHandler
{
    /// <summary>The header that carries a notice's signature.</summary>
    public const string Header = "X-FanOut-Notice-Signature";

    /// <summary>The request option that holds the body a notice sends.</summary>
    public static readonly HttpRequestOptionsKey<ReadOnlyMemory<byte>> BodyOption = new("fanout.notice");

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(BodyOption, out var body) && options.Value.Notify.SigningKey is { Length: > 0 } key)
        {
            request.Headers.Remove(Header);
            request.Headers.Add(Header, Sign(key, timeProvider.GetUtcNow().ToUnixTimeSeconds(), body.Span));
        }
        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>The signature header's value for a body sent at <paramref name="timestamp"/> (unix seconds).</summary>
    internal static string Sign(string key, long timestamp, ReadOnlySpan<byte> body)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        var signed = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t, signed);
        signed[t.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(t.Length + 1));
        return $"t={t},sha256={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), signed))}";
    }
}
