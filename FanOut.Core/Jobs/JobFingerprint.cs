using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Requests;

namespace FanOut.Core.Jobs;

/// <summary>What makes two start_fanout requests "the same job": the hash of everything that decides the
/// result (processor, options, chunking, tolerance, items) in one spelling per meaning (<see cref="CanonicalJson"/>:
/// members in any order, numbers by exact decimal value, strings by their text, whitespace aside). waitSeconds and
/// maxConcurrency decide only how it runs, so they are left out. A manifest names the rule its fingerprint was made
/// by: those stored before the rule (no version) are matched by the fingerprint of the request as it was written.</summary>
internal static class JobFingerprint
{
    /// <summary>The rule of the fingerprints made now (<see cref="JobManifest.FingerprintVersion"/>).</summary>
    internal const int Version = 1;

    /// <summary>The rule of the fingerprints stored before: options and items as written, minified.</summary>
    internal const int LegacyVersion = 0;

    /// <summary>Lower-case hex SHA-256 of the request's canonical form.</summary>
    internal static string Of(StartFanoutCommand command)
    {
        var canonical = new CanonicalJson();
        return Hash(command, (json, options) => canonical.Write(json, JsonMarshal.GetRawUtf8Value(options)), canonical.Write);
    }

    /// <summary>Lower-case hex SHA-256 by the rule before <see cref="Version"/> 1: options and items as they were
    /// written (whitespace aside, strings escaped again), so members in another order or numbers spelled otherwise
    /// were another request. Only to match jobs stored then.</summary>
    internal static string Legacy(StartFanoutCommand command) =>
        Hash(command, static (json, options) => options.WriteTo(json), InlineItems.WriteTo);

    /// <summary>Whether <paramref name="command"/>, whose fingerprint is <paramref name="fingerprint"/>, is the job
    /// <paramref name="manifest"/> stored, by the rule the manifest's fingerprint was made by.</summary>
    internal static bool Matches(JobManifest manifest, StartFanoutCommand command, string fingerprint) => manifest.FingerprintVersion switch
    {
        Version => manifest.Fingerprint == fingerprint,
        LegacyVersion => manifest.Fingerprint == Legacy(command),
        _ => false,   // a rule of a later version of the app: not ours to read
    };

    private delegate void ItemWriter(Utf8JsonWriter json, ReadOnlySpan<byte> item);

    // Hashed as it is written, 64 KiB at a time: the items are never held a second time.
    private static string Hash(StartFanoutCommand command, Action<Utf8JsonWriter, JsonElement> writeOptions, ItemWriter writeItem)
    {
        using var hash = new HashingWriter();
        using (var json = new Utf8JsonWriter(hash))
        {
            json.WriteStartObject();
            json.WriteString("processor", command.Processor.Name);
            json.WriteNumber("chunkSize", command.ChunkSize);
            json.WriteNumber("toleratedFailurePercent", command.ToleratedFailurePercent);
            if (command.ToleratedFailureCount is { } count)
            {
                // Written only when given: the jobs stored before it existed keep their fingerprints.
                json.WriteNumber("toleratedFailureCount", count);
            }
            json.WriteNumber("chunkBytes", command.ChunkBytes);
            if (command.Source is { } source)
            {
                // The blobs' versions are part of the job: the same names with other data are another request.
                json.WriteString("source", $"{source.Container}/{source.Blob ?? source.Prefix + "*"}#{source.Format?.Name()}");
                json.WriteStartArray("blobs");
                foreach (var blob in command.Pinned ?? [])
                {
                    json.WriteStringValue($"{blob.Name}@{blob.ETag}");
                }
                json.WriteEndArray();
            }
            if (command.NotifyUrl is { } notify)
            {
                json.WriteString("notify", notify.AbsoluteUri);
            }
            json.WritePropertyName("options");
            if (command.Options.ValueKind == JsonValueKind.Undefined)
            {
                json.WriteNullValue();
            }
            else
            {
                writeOptions(json, command.Options);
            }
            json.WriteStartArray("items");
            foreach (var item in command.Items)
            {
                writeItem(json, item.Span);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Convert.ToHexStringLower(hash.Finish());
    }

    // An IBufferWriter that feeds SHA-256 whenever its buffer fills (Utf8JsonWriter flushes into it as it goes).
    private sealed class HashingWriter : IBufferWriter<byte>, IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private byte[] _buffer = new byte[64 * 1024];
        private int _written;

        public void Advance(int count)
        {
            _written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Make(sizeHint);
            return _buffer.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Make(sizeHint);
            return _buffer.AsSpan(_written);
        }

        public byte[] Finish()
        {
            _hash.AppendData(_buffer, 0, _written);
            _written = 0;
            return _hash.GetHashAndReset();
        }

        public void Dispose() => _hash.Dispose();

        // Hashes what is written, then makes room for sizeHint bytes (a single value larger than the buffer grows it).
        private void Make(int sizeHint)
        {
            var needed = Math.Max(sizeHint, 1);
            if (_buffer.Length - _written >= needed)
            {
                return;
            }
            _hash.AppendData(_buffer, 0, _written);
            _written = 0;
            if (_buffer.Length < needed)
            {
                _buffer = new byte[needed];
            }
        }
    }
}
