using System.Buffers;
using System.Collections;
using System.Text.Json;

namespace FanOut.Core.Requests;

/// <summary>A request's top-level <c>items</c> array, kept as the bytes that were sent and never parsed whole: a
/// JSON document of a million small items costs ten times their text (12 bytes of metadata per token, grown by
/// doubling), so the body is parsed without them (<see cref="BodyScan"/> marks where they lie) and each item is
/// handed out as its own bytes, one at a time. The scan has checked the array's syntax, depth and strings.</summary>
internal sealed class InlineItems : IEnumerable<ReadOnlyMemory<byte>>
{
    /// <summary>No items (a body without an <c>items</c> array).</summary>
    public static readonly InlineItems None = new("[]"u8.ToArray(), 0);

    private static readonly SearchValues<byte> NotAsWritten = SearchValues.Create(" \t\r\n\\&'+<>`"u8);
    private static readonly JsonDocumentOptions ItemOptions = new() { MaxDepth = BodyScan.MaxDepth };
    private readonly ReadOnlyMemory<byte> _array;

    /// <param name="array">The array's bytes, from its <c>[</c> to its <c>]</c>, already checked by a scan.</param>
    /// <param name="count">How many items it holds.</param>
    public InlineItems(ReadOnlyMemory<byte> array, int count) => (_array, Count) = (array, count);

    /// <summary>How many items there are.</summary>
    public int Count { get; }

    /// <summary>The length of the array's text, brackets and separators included.</summary>
    public int Length => _array.Length;

    /// <summary>The items of a JSON array given as text or bytes (for tests and tools).</summary>
    public static InlineItems Of(ReadOnlyMemory<byte> array)
    {
        var count = 0;
        for (var at = First(array.Span); at < array.Length - 1; at = Next(array.Span, at).Following)
        {
            count++;
        }
        return new InlineItems(array, count);
    }

    /// <summary>Writes <paramref name="item"/> as <see cref="JsonElement.WriteTo"/> would write it had it been parsed
    /// with the body (minified, strings escaped by the writer's encoder), so that what is written from an item
    /// (a job's legacy fingerprint, which matches the jobs stored before fingerprints were canonical) is the same
    /// byte for byte whichever way the body was read.</summary>
    public static void WriteTo(Utf8JsonWriter writer, ReadOnlySpan<byte> item)
    {
        // Fast path: no whitespace, no escape and nothing the default encoder would escape; every byte is ASCII.
        // Such an item's text is exactly what WriteTo writes.
        if (item.IndexOfAny(NotAsWritten) < 0 && !item.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            writer.WriteRawValue(item, skipInputValidation: true);
            return;
        }
        using var one = Parse(item);
        one.RootElement.WriteTo(writer);
    }

    /// <summary>One item as a document of its own (its own small metadata, never the whole array's).</summary>
    public static JsonDocument Parse(ReadOnlySpan<byte> item) => JsonDocument.Parse(item.ToArray(), ItemOptions);

    /// <summary>Each item's bytes, in order.</summary>
    public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
    {
        for (var at = First(_array.Span); at < _array.Length - 1;)
        {
            var (end, following) = Next(_array.Span, at);
            yield return _array[at..end];
            at = following;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Where the first item starts (or the ']' of an empty array).
    private static int First(ReadOnlySpan<byte> array) => 1 + SkipWhitespace(array[1..]);

    // The end of the item that starts at 'at', and where the next one starts (or the closing ']').
    private static (int End, int Following) Next(ReadOnlySpan<byte> array, int at)
    {
        var reader = new Utf8JsonReader(array[at..], new JsonReaderOptions { MaxDepth = BodyScan.MaxDepth, AllowMultipleValues = true });
        reader.Read();
        reader.Skip();
        var end = at + (int)reader.BytesConsumed;
        var following = end + SkipWhitespace(array[end..]);
        return (end, array[following] == (byte)',' ? following + 1 + SkipWhitespace(array[(following + 1)..]) : following);
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> text)
    {
        var skipped = text.IndexOfAnyExcept(" \t\r\n"u8);
        return skipped < 0 ? text.Length : skipped;
    }
}
