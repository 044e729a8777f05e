using System.Buffers;
using System.Text.Json;
using FanOut.Core.Outcomes;

namespace FanOut.Core.Http;

/// <summary>Reads a request body, within the size limit, into a JSON document (over the bytes read, which
/// are also returned as they are, for a signature's check).</summary>
internal static class RequestBody
{
    public static async Task<(JsonDocument? Document, ReadOnlyMemory<byte> Raw, Refusal? Refusal)> ParseAsync(
        Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return (null, default, Refusal.TooLarge(maxBytes));
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (buffer.Length == 0)
        {
            return (null, default, Refusal.MalformedJson("The body is empty; send a JSON object."));
        }
        try
        {
            var raw = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            var document = JsonDocument.Parse(raw);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, default, Refusal.MalformedJson("The body must be a JSON object."));
            }
            return (document, raw, null);
        }
        catch (JsonException ex)
        {
            return (null, default, Refusal.MalformedJson(ex.Message));
        }
    }
}
