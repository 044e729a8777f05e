using System.Buffers;
using System.Text.Json;

namespace FanOut.Core.Sources;

/// <summary>The records of a chunk of a JSON array blob: the elements in its byte range, as <see cref="JsonArrayScanner"/>
/// planned it (from an element's first byte to the next chunk's first element, or to the array's closing bracket). Each
/// element is a record as an inline item is (<see cref="ItemLines.Record"/>): a string as its text, any other value as its
/// JSON text. A chunk is bounded by its records, so its range is read whole.</summary>
internal static class JsonArrayRecords
{
    /// <summary>Hands each element of bytes [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="stream"/>
    /// (positioned at <paramref name="start"/>) to <paramref name="onRecord"/>; throws <see cref="InvalidDataException"/>
    /// naming the byte of an element that is not JSON.</summary>
    public static async Task<long> ReadAsync(Stream stream, long start, long end, RecordHandler onRecord)
    {
        var bytes = ArrayPool<byte>.Shared.Rent((int)(end - start));
        try
        {
            await stream.ReadExactlyAsync(bytes.AsMemory(0, (int)(end - start))).ConfigureAwait(false);
            return Elements(bytes.AsSpan(0, (int)(end - start)), start, onRecord);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static long Elements(ReadOnlySpan<byte> range, long start, RecordHandler onRecord)
    {
        long count = 0;
        byte[]? scratch = null;
        try
        {
            for (var at = Next(range, 0); at < range.Length; at = Next(range, at))
            {
                var reader = new Utf8JsonReader(range[at..], new JsonReaderOptions { MaxDepth = 256 });
                try
                {
                    reader.Read();
                    reader.Skip();
                }
                catch (JsonException ex)
                {
                    throw new InvalidDataException($"The element at byte {start + at} is not JSON: {ex.Message}", ex);
                }
                var length = (int)reader.BytesConsumed;
                onRecord(ItemLines.Record(range.Slice(at, length), ref scratch));
                count++;
                at += length;
            }
            return count;
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    // The next element's first byte: past whitespace and the comma between two elements.
    private static int Next(ReadOnlySpan<byte> range, int at)
    {
        while (at < range.Length && range[at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)',')
        {
            at++;
        }
        return at;
    }
}
