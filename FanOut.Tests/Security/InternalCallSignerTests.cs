using System.Text;
using FanOut.Core.Configuration;
using FanOut.Core.Security;
using FanOut.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FanOut.Tests.Security;

public sealed class InternalCallSignerTests
{
    private const string Body = """{"action":"process_chunk","jobId":"job-1","chunk":3,"processor":"count","depth":2,"items":[1]}""";
    private const string OtherKey = "another-signing-key-abcdefghijklmnopqrstuvwxyz";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Verify_ItsOwnSignature_IsValidOnce_ThenAReplay()
    {
        var signer = Signer(TestKeys.Signing);
        var signature = signer.Sign(Encoding.UTF8.GetBytes(Body));

        Assert.Equal(SignatureCheck.Valid, signer.Verify(signature, Encoding.UTF8.GetBytes(Body)));
        Assert.Equal(SignatureCheck.Replayed, signer.Verify(signature, Encoding.UTF8.GetBytes(Body)));
    }

    [Theory]
    [InlineData("\"depth\":2", "\"depth\":1")]          // the depth
    [InlineData("job-1", "job-2")]                      // the job
    [InlineData("process_chunk", "count_quotes")]       // the action
    [InlineData("[1]", "[2]")]                          // the data
    public void Verify_AnyChangeToTheBody_IsInvalid(string part, string changed)
    {
        var signer = Signer(TestKeys.Signing);
        var signature = signer.Sign(Encoding.UTF8.GetBytes(Body));

        Assert.Equal(SignatureCheck.Invalid, signer.Verify(signature, Encoding.UTF8.GetBytes(Body.Replace(part, changed))));
    }

    [Theory]
    [InlineData(null, nameof(SignatureCheck.Missing))]
    [InlineData("", nameof(SignatureCheck.Missing))]
    [InlineData("garbage", nameof(SignatureCheck.Invalid))]
    [InlineData("v1;t=1;n=x;s=AAAA", nameof(SignatureCheck.Invalid))]
    [InlineData("v2;t=1;n=x;s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", nameof(SignatureCheck.Invalid))]
    // The expected check by name: SignatureCheck is internal, and a public theory cannot take it as a parameter.
    public void Verify_MissingOrMalformed_IsRefused(string? header, string expected) =>
        Assert.Equal(Enum.Parse<SignatureCheck>(expected), Signer(TestKeys.Signing).Verify(header, Encoding.UTF8.GetBytes(Body)));

    [Fact]
    public void Verify_AnotherKeysSignature_IsInvalid() =>
        Assert.Equal(SignatureCheck.Invalid, Signer(TestKeys.Signing).Verify(TestKeys.Sign(Body, OtherKey, Now), Encoding.UTF8.GetBytes(Body)));

    [Theory]
    [InlineData(-301, nameof(SignatureCheck.Stale))]
    [InlineData(-299, nameof(SignatureCheck.Valid))]
    [InlineData(299, nameof(SignatureCheck.Valid))]
    [InlineData(301, nameof(SignatureCheck.Stale))]
    public void Verify_TimestampOutsideFiveMinutes_IsStale(int secondsOff, string expected) =>
        Assert.Equal(Enum.Parse<SignatureCheck>(expected), Signer(TestKeys.Signing).Verify(TestKeys.Sign(Body, at: Now.AddSeconds(secondsOff)), Encoding.UTF8.GetBytes(Body)));

    [Fact]
    public void Rotation_ThePreviousKeyIsStillAccepted_ButNeverSignsAgain()
    {
        var rotated = Signer(OtherKey, previous: TestKeys.Signing);
        var signedBefore = TestKeys.Sign(Body, TestKeys.Signing, Now);
        var signedAfter = rotated.Sign(Encoding.UTF8.GetBytes(Body));

        Assert.Equal(SignatureCheck.Valid, rotated.Verify(signedBefore, Encoding.UTF8.GetBytes(Body)));
        Assert.Equal(SignatureCheck.Invalid, Signer(TestKeys.Signing).Verify(signedAfter, Encoding.UTF8.GetBytes(Body)));
        Assert.Equal(SignatureCheck.Valid, Signer(OtherKey).Verify(signedAfter, Encoding.UTF8.GetBytes(Body)));
    }

    [Fact]
    public void Nonces_AreForgottenOnceStale_AndAReplayAfterThatIsStaleStill()
    {
        var clock = new FakeTimeProvider(Now);
        var signer = new InternalCallSigner(Options.Create(new FanOutOptions { SigningKey = TestKeys.Signing }), clock);
        var signature = signer.Sign(Encoding.UTF8.GetBytes(Body));
        Assert.Equal(SignatureCheck.Valid, signer.Verify(signature, Encoding.UTF8.GetBytes(Body)));

        var rememberedBefore = signer.RememberedNonces;
        clock.Advance(TimeSpan.FromMinutes(6));
        signer.Verify(TestKeys.Sign(Body, at: clock.GetUtcNow()), Encoding.UTF8.GetBytes(Body));   // a call that sweeps

        Assert.Equal(1, rememberedBefore);
        Assert.Equal(1, signer.RememberedNonces);                                                   // only the new one
        Assert.Equal(SignatureCheck.Stale, signer.Verify(signature, Encoding.UTF8.GetBytes(Body)));
    }

    private static InternalCallSigner Signer(string key, string? previous = null) =>
        new(Options.Create(new FanOutOptions { SigningKey = key, PreviousSigningKey = previous }), new FakeTimeProvider(Now));
}
