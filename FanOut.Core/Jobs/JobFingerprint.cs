using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Jobs;

/// <summary>What makes two start_fanout requests "the same job": the hash of everything that decides the
/// result (processor, options, chunking, tolerance, items), whitespace aside. waitSeconds and
/// maxConcurrency decide only how it runs, so they are left out.</summary>
internal static class JobFingerprint
{
    /// <summary>Lower-case hex SHA-256.</summary>
    internal static string Of(StartFanoutCommand command)
    {
        // Hashed as it is written, 64 KiB at a time: the items are never held a second time.
        using var hash = new HashingWriter();
        using (var json = new Utf8JsonWriter(hash))
        {
            json.WriteStartObject();
            json.WriteString("processor", command.Processor.Name);
            json.WriteNumber("chunkSize", command.ChunkSize);
            json.WriteNumber("toleratedFailurePercent", command.ToleratedFailurePercent);
            json.WriteNumber("chunkBytes", command.ChunkBytes);
            if (command.Source is { } source)
            {
                // The blobs' versions are part of the job: the same names with other data are another request.
                json.WriteString("source", $"{source.Container}/{source.Blob ?? source.Prefix + "*"}#{source.Format}");
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
                command.Options.WriteTo(json);
            }
            json.WriteStartArray("items");
            foreach (var item in command.Items)
            {
                InlineItems.WriteTo(json, item.Span);
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
