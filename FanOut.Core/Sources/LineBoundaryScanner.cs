using System.Buffers;

namespace FanOut.Core.Sources;

/// <summary>Plans record-exact chunks of a text blob in one streaming pass: it counts newlines with the
/// vectorised span search (no per-line strings, no per-line work at all except at chunk boundaries) and
/// returns the byte offset at which every chunkSize-th record starts.</summary>
internal static class LineBoundaryScanner
{
    private const int ReadSize = 1024 * 1024;
    private const int BlockSize = 4096;

    /// <summary>The result of a scan.</summary>
    /// <param name="ChunkStarts">Byte offset of each chunk's first record, ascending; the first is 0.</param>
    /// <param name="Records">Records in the blob.</param>
    /// <param name="Length">Bytes in the blob.</param>
    public sealed record Plan(IReadOnlyList<long> ChunkStarts, long Records, long Length);

    /// <summary>Scans the stream to its end.</summary>
    public static async Task<Plan> ScanAsync(Stream stream, int recordsPerChunk, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recordsPerChunk, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            var starts = new List<long>();
            long position = 0, newlines = 0;
            var untilNextStart = 0L;     // newlines to pass before the next chunk starts (0: at a record start now)
            var lastByteWasNewline = true; // an empty stream has no records; a stream is "at a record start" at 0
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                var span = buffer.AsSpan(0, read);
                var offset = 0;
                while (offset < read)
                {
                    if (untilNextStart == 0)
                    {
                        starts.Add(position + offset);
                        untilNextStart = recordsPerChunk;
                    }
                    // Count newlines a block at a time (vectorised); only the block holding the next chunk
                    // boundary is searched newline by newline, so the whole pass stays linear.
                    var block = span.Slice(offset, Math.Min(BlockSize, read - offset));
                    var count = block.Count((byte)'\n');
                    if (count < untilNextStart)
                    {
                        untilNextStart -= count;
                        newlines += count;
                        offset += block.Length;
                        continue;
                    }
                    while (untilNextStart > 0)
                    {
                        offset += span[offset..].IndexOf((byte)'\n') + 1;
                        newlines++;
                        untilNextStart--;
                    }
                }
                lastByteWasNewline = span[read - 1] == (byte)'\n';
                position += read;
            }
            var records = newlines + (position > 0 && !lastByteWasNewline ? 1 : 0);
            return new Plan(starts, records, position);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
