using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Encodings.Web;
using FanOut.Core.Planning;
using FanOut.Core.Processing;
using FanOut.Core.Requests;

namespace FanOut.Core.Sources;

/// <summary>Inline items as a source: stored once, in one blob, then read like any blob source, each chunk its
/// own byte range, by the same line reader. The blob holds the start of every chunk (and the end of the last)
/// as little-endian 64-bit offsets, a newline, then the items as NDJSON, one item's JSON text per line; a
/// dispatcher reads only the offsets of its own chunks, a chunk only its own lines. A record is a string
/// item's value, or any other item's JSON text as it was sent (line breaks between its tokens removed, so
/// that it stays on one line). A string item whose value is no text (a lone surrogate escape) is given as its
/// JSON text too, so that every item is a record and its processor sees what was sent.</summary>
internal static class ItemLines
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>The stored form of <paramref name="items"/> in chunks of <paramref name="chunkSize"/>.</summary>
    public static BinaryData Write(InlineItems items, int chunkSize)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The stored offsets are little-endian.");
        }
        var chunks = ChunkPlanner.ChunkCount(items.Count, chunkSize);
        var header = (chunks + 1) * sizeof(long) + 1;
        // One buffer: the header's room first, then the lines; the offsets are written into that room at the end,
        // so the items are held once more, not twice.
        var blob = new ArrayBufferWriter<byte>(header + Math.Max(256, items.Length));
        blob.GetSpan(header)[..header].Clear();
        blob.Advance(header);
        var offsets = new long[chunks + 1];
        var i = 0;
        foreach (var item in items)
        {
            if (i % chunkSize == 0)
            {
                offsets[i / chunkSize] = blob.WrittenCount;
            }
            WriteLine(blob, item.Span);
            i++;
        }
        offsets[chunks] = blob.WrittenCount;
        var written = MemoryMarshal.AsMemory(blob.WrittenMemory);
        MemoryMarshal.AsBytes(offsets.AsSpan()).CopyTo(written.Span);
        written.Span[header - 1] = (byte)'\n';
        return BinaryData.FromBytes(written);
    }

    /// <summary>Where the offsets of chunks [first, first + count] lie in the stored blob.</summary>
    public static (long Offset, int Length) OffsetsOf(int first, int count) => ((long)first * sizeof(long), (count + 1) * sizeof(long));

    /// <summary>The offsets read from <see cref="OffsetsOf"/>: chunk i of the range is bytes [offsets[i], offsets[i + 1]).</summary>
    public static long[] ReadOffsets(ReadOnlySpan<byte> bytes) =>
        [.. MemoryMarshal.Cast<byte, long>(bytes)];

    /// <summary>The items of a standalone chunk as NDJSON in memory, to be read by the same reader.</summary>
    public static MemoryStream Stream(InlineItems items)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        foreach (var item in items)
        {
            WriteLine(buffer, item.Span);
        }
        return new MemoryStream(buffer.WrittenSpan.ToArray(), writable: false);
    }

    /// <summary>The record of one line: a string item's value (unescaped into <paramref name="scratch"/>), else the line.</summary>
    public static ReadOnlySpan<byte> Record(ReadOnlySpan<byte> line, ref byte[]? scratch)
    {
        if (line.IsEmpty || line[0] != (byte)'"')
        {
            return line;
        }
        var reader = new Utf8JsonReader(line);
        reader.Read();
        if (!reader.ValueIsEscaped)
        {
            return line[1..^1];
        }
        if (JsonUnicode.HasLoneSurrogate(reader.ValueSpan))
        {
            return line; // its value is no UTF-8 text: it is given as its JSON text, as any other item
        }
        if (scratch is null || scratch.Length < line.Length)
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
            scratch = ArrayPool<byte>.Shared.Rent(line.Length);
        }
        return scratch.AsSpan(0, reader.CopyString(scratch));
    }

    private static void WriteLine(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            buffer.Write(raw);
        }
        else if (JsonUnicode.IsValid(raw))
        {
            using var item = InlineItems.Parse(raw);
            using var writer = new Utf8JsonWriter(buffer, Compact);
            item.RootElement.WriteTo(writer);
        }
        else
        {
            // Not text that can be written again (a lone surrogate escape, invalid UTF-8): its line breaks, which
            // lie between tokens (a JSON string holds none), are dropped and every other byte is kept.
            foreach (var piece in raw.SplitAny("\r\n"u8))
            {
                buffer.Write(raw[piece]);
            }
        }
        buffer.Write("\n"u8);
    }
}
