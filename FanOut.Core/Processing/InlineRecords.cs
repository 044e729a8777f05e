using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FanOut.Core.Processing;

/// <summary>Feeds inline JSON items to an accumulator as records: a string item as its value, any
/// other item as its JSON text.</summary>
internal static class InlineRecords
{
    public static long AddAll(JsonElement items, IChunkAccumulator accumulator)
    {
        long count = 0;
        byte[]? buffer = null;
        try
        {
            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    var value = item.GetString()!;
                    var needed = Encoding.UTF8.GetMaxByteCount(value.Length);
                    if (buffer is null || buffer.Length < needed)
                    {
                        if (buffer is not null)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                        }
                        buffer = ArrayPool<byte>.Shared.Rent(needed);
                    }
                    var length = Encoding.UTF8.GetBytes(value, buffer);
                    accumulator.Add(new ChunkRecord(buffer.AsSpan(0, length)));
                }
                else
                {
                    accumulator.Add(new ChunkRecord(JsonMarshal.GetRawUtf8Value(item)));
                }
                count++;
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return count;
    }
}
