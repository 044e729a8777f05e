using System.Buffers;
using System.Text.Json;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;

namespace FanOut.Core.Http;

/// <summary>Reads a request body, within the size limit, checks it in one pass (<see cref="BodyScan"/>: an object,
/// Unicode strings, not too deep, not too many items) and only then parses it into a JSON document, all but its
/// items: in the document a top-level <c>items</c> array stands as <c>[]</c>, and the array itself is returned as
/// the bytes that were sent (<see cref="InlineItems"/>), so that an accepted body costs a small multiple of its size
/// whatever its items hold. The bytes read are also returned as they are, for a signature's check.</summary>
internal static class RequestBody
{
    public static async Task<(JsonDocument? Document, InlineItems Items, ReadOnlyMemory<byte> Raw, Refusal? Refusal)> ParseAsync(
        Stream body, int maxBytes, int maxItems, CancellationToken cancellationToken)
    {
        var (raw, tooLarge) = await ReadAsync(body, maxBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge)
        {
            return (null, InlineItems.None, default, Refusal.TooLarge(maxBytes));
        }
        if (raw.Length == 0)
        {
            return (null, InlineItems.None, default, Refusal.MalformedJson("The body is empty; send a JSON object."));
        }
        var errors = new FieldErrors();
        var itemArrays = new List<(Range Bytes, int Count)>(1);
        if (BodyScan.Check(raw, maxItems, errors, itemArrays) is { } malformed)
        {
            return (null, InlineItems.None, default, Refusal.MalformedJson(malformed));
        }
        if (!errors.IsEmpty)
        {
            return (null, InlineItems.None, default, Refusal.Invalid(errors));
        }
        // The scan read the same bytes with the same depth limit: this parse cannot fail. (Two items arrays are
        // refused by the request's reader, which sees the name twice.)
        var items = itemArrays.Count == 0 ? InlineItems.None : new InlineItems(raw[itemArrays[0].Bytes], itemArrays[0].Count);
        var document = JsonDocument.Parse(itemArrays.Count == 0 ? raw : WithoutItems(raw.Span, itemArrays), new JsonDocumentOptions { MaxDepth = BodyScan.MaxDepth });
        return (document, items, raw, null);
    }

    // The body with each items array replaced by [].
    private static ReadOnlyMemory<byte> WithoutItems(ReadOnlySpan<byte> raw, List<(Range Bytes, int Count)> itemArrays)
    {
        var rest = new ArrayBufferWriter<byte>(raw.Length - itemArrays.Sum(a => a.Bytes.End.Value - a.Bytes.Start.Value) + 2 * itemArrays.Count);
        var from = 0;
        foreach (var (bytes, _) in itemArrays)
        {
            rest.Write(raw[from..bytes.Start.Value]);
            rest.Write("[]"u8);
            from = bytes.End.Value;
        }
        rest.Write(raw[from..]);
        return rest.WrittenMemory;
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
