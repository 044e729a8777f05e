using System.Text.Json;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;

namespace FanOut.Core.Http;

/// <summary>Reads a request body, within the size limit, checks it in one pass (<see cref="BodyScan"/>: an object,
/// Unicode strings, not too deep, not too many items) and only then parses it into a JSON document (over the
/// bytes read, which are also returned as they are, for a signature's check).</summary>
internal static class RequestBody
{
    public static async Task<(JsonDocument? Document, ReadOnlyMemory<byte> Raw, Refusal? Refusal)> ParseAsync(
        Stream body, int maxBytes, int maxItems, CancellationToken cancellationToken)
    {
        var (raw, tooLarge) = await ReadAsync(body, maxBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge)
        {
            return (null, default, Refusal.TooLarge(maxBytes));
        }
        if (raw.Length == 0)
        {
            return (null, default, Refusal.MalformedJson("The body is empty; send a JSON object."));
        }
        var errors = new FieldErrors();
        if (BodyScan.Check(raw, maxItems, errors) is { } malformed)
        {
            return (null, default, Refusal.MalformedJson(malformed));
        }
        if (!errors.IsEmpty)
        {
            return (null, default, Refusal.Invalid(errors));
        }
        // The scan read the same bytes with the same depth limit: this parse cannot fail.
        return (JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = BodyScan.MaxDepth }), raw, null);
    }

    // The body's bytes, held once: in a buffer of its exact length when the stream knows it (the worker's does),
    // else in one that grows; never more than maxBytes + one read.
    private static async Task<(ReadOnlyMemory<byte> Raw, bool TooLarge)> ReadAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        if (body.CanSeek)
        {
            var length = body.Length - body.Position;
            if (length > maxBytes)
            {
                return (default, true);
            }
            var bytes = new byte[length];
            await body.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            return (bytes, false);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (default, true);
            }
            buffer.Write(chunk, 0, read);
        }
        return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), false);
    }
}
