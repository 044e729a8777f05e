using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FanOut.Core.Configuration;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Security;

/// <summary>Signs the app's calls to itself and checks them. The signature, in the
/// <c>X-FanOut-Signature</c> header as <c>v1;t={unix seconds};n={nonce};s={base64 HMAC}</c>, is an
/// HMAC-SHA256 with FanOut's signing key over the version, timestamp, nonce, the body's action, job id
/// and depth, and the SHA-256 of the whole body: nothing of the call can change without the key. A check
/// refuses a timestamp outside <see cref="Window"/> and a nonce it has seen within it (a replay).</summary>
internal sealed class InternalCallSigner
{
    /// <summary>The header that carries the signature.</summary>
    public const string Header = "X-FanOut-Signature";

    /// <summary>How far a signature's timestamp may be from this instance's clock, either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly byte[] _key;
    private readonly byte[]? _previousKey;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private long _nextSweep;

    /// <summary>Takes the keys from the options (or, in local development without a key, makes one up).</summary>
    public InternalCallSigner(IOptions<FanOutOptions> options, TimeProvider timeProvider)
    {
        var settings = options.Value;
        _key = string.IsNullOrEmpty(settings.SigningKey) ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(settings.SigningKey);
        _previousKey = string.IsNullOrEmpty(settings.PreviousSigningKey) ? null : Encoding.UTF8.GetBytes(settings.PreviousSigningKey);
        _timeProvider = timeProvider;
    }

    /// <summary>Nonces kept for the replay check.</summary>
    internal int RememberedNonces => _seen.Count;

    /// <summary>The signature of one attempt of a call with this body (a fresh timestamp and nonce each time).</summary>
    public string Sign(ReadOnlySpan<byte> body)
    {
        var envelope = CallEnvelope.Read(body);
        var timestamp = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        return $"v1;t={timestamp.ToString(CultureInfo.InvariantCulture)};n={nonce};s={Convert.ToBase64String(Mac(_key, timestamp, nonce, envelope, body))}";
    }

    /// <summary>Checks the signature of a call with this body.</summary>
    public SignatureCheck Verify(string? header, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(header))
        {
            return SignatureCheck.Missing;
        }
        if (!TryParse(header, out var timestamp, out var nonce, out var mac))
        {
            return SignatureCheck.Invalid;
        }
        var envelope = CallEnvelope.Read(body);
        if (!Matches(_key, mac, timestamp, nonce, envelope, body)
            && (_previousKey is null || !Matches(_previousKey, mac, timestamp, nonce, envelope, body)))
        {
            return SignatureCheck.Invalid;
        }
        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - timestamp) > Window.TotalSeconds)
        {
            return SignatureCheck.Stale;
        }
        Forget(now);
        return _seen.TryAdd(nonce, timestamp) ? SignatureCheck.Valid : SignatureCheck.Replayed;
    }

    private static bool Matches(byte[] key, byte[] mac, long timestamp, string nonce, CallEnvelope envelope, ReadOnlySpan<byte> body) =>
        CryptographicOperations.FixedTimeEquals(mac, Mac(key, timestamp, nonce, envelope, body));

    private static byte[] Mac(byte[] key, long timestamp, string nonce, CallEnvelope envelope, ReadOnlySpan<byte> body)
    {
        var bodyHash = Convert.ToBase64String(SHA256.HashData(body));
        var signed = $"v1\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{nonce}\n{envelope.Action}\n{envelope.JobId}\n"
                     + $"{envelope.Depth.ToString(CultureInfo.InvariantCulture)}\n{bodyHash}";
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(signed));
    }

    private static bool TryParse(string header, out long timestamp, out string nonce, out byte[] mac)
    {
        (timestamp, nonce, mac) = (0, "", []);
        var parts = header.Split(';');
        if (parts is not ["v1", var t, var n, var s] || !t.StartsWith("t=", StringComparison.Ordinal)
            || !n.StartsWith("n=", StringComparison.Ordinal) || !s.StartsWith("s=", StringComparison.Ordinal)
            || !long.TryParse(t.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
        {
            return false;
        }
        nonce = n[2..];
        var buffer = new byte[32];
        if (nonce.Length is 0 or > 64 || !Convert.TryFromBase64String(s[2..], buffer, out var written) || written != 32)
        {
            return false;
        }
        mac = buffer;
        return true;
    }

    // Nonces older than the window can no longer be replayed (their timestamp is stale): let them go, in one
    // sweep a minute at most, so that a busy instance does not scan its nonces on every call.
    private void Forget(long now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + 60, due) != due)
        {
            return;
        }
        foreach (var (nonce, timestamp) in _seen)
        {
            if (now - timestamp > Window.TotalSeconds)
            {
                _seen.TryRemove(nonce, out _);
            }
        }
    }
}

/// <summary>How a signature check ended.</summary>
internal enum SignatureCheck
{
    /// <summary>Signed with a current key, in time, first seen.</summary>
    Valid,
    /// <summary>No signature: 401.</summary>
    Missing,
    /// <summary>Malformed, or not made with a current key over this body: 403.</summary>
    Invalid,
    /// <summary>Its timestamp is outside the window: 403.</summary>
    Stale,
    /// <summary>Its nonce was seen before within the window: 403.</summary>
    Replayed,
}
