using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace FanOut.LocalHost.Hosting;

/// <summary>The function key a local host requires when one is configured (<c>FanOut__FunctionKey</c>), checked
/// where the Functions host accepts it: the <c>x-functions-key</c> header or <c>?code=</c>.</summary>
internal sealed class FunctionKey(string? key)
{
    private readonly byte[]? _key = string.IsNullOrEmpty(key) ? null : Encoding.UTF8.GetBytes(key);

    /// <summary>True when the request may call a function of that auth level: no key is configured, the
    /// function is anonymous, or the request presents the key.</summary>
    public bool Admits(HttpRequest request, bool requiresKey)
    {
        if (_key is null || !requiresKey)
        {
            return true;
        }
        var presented = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);
    }
}
