using FanOut.Core.Configuration;

namespace FanOut.Tests.Notices;

/// <summary><c>FanOut__Notify__AllowedHosts</c>: a bare host allows its scheme's default port only; <c>host:port</c> that port.</summary>
public sealed class NotifyAllowListTests
{
    [Theory]
    [InlineData("hooks.example.com", "https://hooks.example.com/x", true)]
    [InlineData("HOOKS.example.com", "http://hooks.example.com/x", true)]
    [InlineData("hooks.example.com", "https://hooks.example.com:8443/x", false)]
    [InlineData("hooks.example.com", "http://hooks.example.com:443/x", false)]
    [InlineData("hooks.example.com:8443", "https://hooks.example.com:8443/x", true)]
    [InlineData("hooks.example.com:8443", "https://hooks.example.com/x", false)]
    [InlineData("hooks.example.com:8443", "https://hooks.example.com:8444/x", false)]
    [InlineData("other.example.com, hooks.example.com:8443", "https://hooks.example.com:8443/x", true)]
    [InlineData("127.0.0.1", "http://127.0.0.1:5000/x", false)]
    [InlineData("127.0.0.1:5000", "http://127.0.0.1:5000/x", true)]
    [InlineData("[::1]:5000", "http://[::1]:5000/x", true)]
    [InlineData("[::1]", "http://[::1]:5000/x", false)]
    [InlineData("::1", "http://[::1]/x", true)]
    [InlineData("hooks.example.com:", "https://hooks.example.com/x", false)]
    [InlineData("hooks.example.com:x", "https://hooks.example.com/x", false)]
    [InlineData("example.com", "https://hooks.example.com/x", false)]
    [InlineData("", "https://hooks.example.com/x", false)]
    public void Allows_HostOnItsDefaultPort_OrHostAndPort(string allowed, string url, bool expected)
    {
        var sut = new NotifyOptions { AllowedHosts = allowed };

        Assert.Equal(expected, sut.Allows(new Uri(url)));
    }
}
