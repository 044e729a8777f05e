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
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
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
                item.WriteTo(json);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }
}
