using FanOut.Core.Dispatch;
using FanOut.Core.Security;

namespace FanOut.Core.Dispatch;

/// <summary>Signs every attempt of a self-call (<see cref="InternalCallSigner"/>): inside the retries, so that a
/// retry carries a fresh timestamp and nonce and is not refused as a replay of the first attempt.</summary>
internal sealed class SigningHandler(InternalCallSigner signer) : DelegatingHandler
{
    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(SelfClient.BodyOption, out var body))
        {
            request.Headers.Remove(InternalCallSigner.Header);
            request.Headers.Add(InternalCallSigner.Header, signer.Sign(body.Span));
        }
        return base.SendAsync(request, cancellationToken);
    }
}
