using System.Buffers;

namespace FanOut.Core.Sources;

/// <summary>Plans record-exact chunks of a CSV blob in one streaming pass: like
/// <see cref="LineBoundaryScanner"/>, but a record ends only at a newline outside quoted fields, and the
/// header row is no record (chunk 0 starts at 0 and its reader skips the header).</summary>
internal static class CsvBoundaryScanner
{
    private const int ReadSize = 1024 * 1024;

    /// <summary>Scans the stream to its end.</summary>
    public static async Task<LineBoundaryScanner.Plan> ScanAsync(Stream stream, int recordsPerChunk, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recordsPerChunk, 1);
        var framing = RecordFraming.Csv(inQuotesAtStart: false, firstByteIsBeforeStart: false);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            var starts = new List<long>();
            long position = 0, boundaries = 0;
            long? pendingStart = 0;                    // a chunk start, added once a byte is known to follow it
            var untilNextStart = recordsPerChunk + 1L; // the header row comes first and is no record
            var lastRecordEnd = 0L;                    // where the bytes after the last record boundary begin
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                var offset = 0;
                while (true)
                {
                    if (pendingStart is { } start && start < position + read)
                    {
                        starts.Add(start);
                        pendingStart = null;
                    }
                    var at = framing.NextBoundary(buffer.AsSpan(offset, read - offset));
                    if (at < 0)
                    {
                        break;
                    }
                    offset += at + 1;
                    boundaries++;
                    lastRecordEnd = position + offset;
                    if (--untilNextStart == 0)
                    {
                        untilNextStart = recordsPerChunk;
                        pendingStart = position + offset;
                    }
                }
                position += read;
            }
            // Bytes after the last boundary are a row, as the reader gives them: a last row without its newline, or
            // one whose quote is never closed (its newlines, the last included, are inside the field).
            var rows = boundaries + (position > lastRecordEnd ? 1 : 0);
            return new LineBoundaryScanner.Plan(starts, Math.Max(0, rows - 1), position);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
