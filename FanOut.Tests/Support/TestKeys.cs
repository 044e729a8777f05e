using System.Text;
using FanOut.Core.Configuration;
using FanOut.Core.Security;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Support;

/// <summary>The keys the tests configure, and a signer that makes the app's own signatures with them.</summary>
internal static class TestKeys
{
    /// <summary>FanOut:SigningKey of every test host.</summary>
    public const string Signing = "test-signing-key-0123456789abcdef0123456789";

    /// <summary>Signs <paramref name="body"/> as the app would (with <paramref name="key"/>, at <paramref name="at"/>).</summary>
    public static string Sign(string body, string key = Signing, DateTimeOffset? at = null)
    {
        var clock = at is { } time ? new Microsoft.Extensions.Time.Testing.FakeTimeProvider(time) : TimeProvider.System;
        var signer = new InternalCallSigner(Options.Create(new FanOutOptions { SigningKey = key }), clock);
        return signer.Sign(Encoding.UTF8.GetBytes(body));
    }
}
