using System.Buffers;

namespace FanOut.Core.Sources;

/// <summary>Reads the line records of one byte range of a text blob. A record belongs to the range in which
/// its first byte lies, so ranges cut anywhere (chunkBytes) or at record starts (chunkSize) both give every
/// record to exactly one chunk: a reader skips the partial record at its start (unless it starts at 0) and
/// reads past its end to finish its last record. A record is a line without its "\n" or "\r\n"; a final
/// line without a newline is a record; the empty piece after a final newline is not. A reader whose range lies
/// wholly inside one record reads its range (and the byte before) and stops: it owns no record.</summary>
internal static class LineRecords
{
    private const int ReadSize = 64 * 1024;

    /// <summary>Where a reader of the range starting at <paramref name="start"/> opens the blob: one byte
    /// early, to see whether a record starts exactly at <paramref name="start"/>.</summary>
    public static long OpenAt(long start) => Math.Max(0, start - 1);

    /// <summary>Calls <paramref name="onRecord"/> for each record whose first byte is in [start, end).</summary>
    /// <param name="stream">The blob, positioned at <see cref="OpenAt"/>(start), read to its end at most.</param>
    /// <param name="start">Start of the range (inclusive).</param>
    /// <param name="end">End of the range (exclusive).</param>
    /// <param name="onRecord">Gets each record's bytes; the span is valid only during the call.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>How many records the range holds.</returns>
    public static Task<long> ReadAsync(Stream stream, long start, long end, RecordHandler onRecord, CancellationToken cancellationToken = default) =>
        ReadAsync(stream, start, end, RecordFraming.Lines(), skipFirstRecord: false, onRecord, cancellationToken);

    /// <summary>As above, with records framed by <paramref name="framing"/>; <paramref name="skipFirstRecord"/>
    /// leaves out the blob's first record (a CSV header) when the range starts at 0.</summary>
    public static async Task<long> ReadAsync(Stream stream, long start, long end, RecordFraming framing, bool skipFirstRecord,
        RecordHandler onRecord, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize * 2);
        try
        {
            var position = OpenAt(start);   // absolute offset of buffer[0]
            int filled = 0, scan = 0;        // bytes in the buffer; where the search for '\n' resumes
            var recordStart = start == 0 ? 0L : -1; // -1: still skipping the partial record before the range
            long records = 0;
            var atEof = false;
            var skipNext = start == 0 && skipFirstRecord;
            while (true)
            {
                var newline = framing.NextBoundary(buffer.AsSpan(scan, filled - scan));
                if (newline < 0 && !atEof)
                {
                    if (recordStart < 0 && position + filled >= end)
                    {
                        // Still inside the record that began before the range, and the range is read: a record
                        // starting after this would start past the end. Reading on to that record's end would make
                        // every chunk inside a long record read the rest of it.
                        return records;
                    }
                    // Keep only what is not consumed, grow if one record outgrows the buffer, then read more.
                    var keep = recordStart < 0 ? filled : (int)(recordStart - position);
                    (buffer, position, filled, scan) = Compact(buffer, position, filled, keep);
                    var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                    atEof = read == 0;
                    filled += read;
                    continue;
                }
                var lineEnd = newline < 0 ? position + filled : position + scan + newline; // '\n' or EOF
                if (recordStart < 0)
                {
                    recordStart = lineEnd + 1; // the first record of the range begins after this newline
                }
                else if (recordStart < end && recordStart < position + filled)
                {
                    if (!skipNext)
                    {
                        var record = buffer.AsSpan((int)(recordStart - position), (int)(lineEnd - recordStart));
                        onRecord(record.EndsWith("\r"u8) ? record[..^1] : record);
                        records++;
                    }
                    skipNext = false;
                    recordStart = lineEnd + 1;
                }
                if (newline < 0 || recordStart >= end)
                {
                    return records;
                }
                scan += newline + 1;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>As <see cref="ReadAsync(Stream, long, long, RecordHandler, CancellationToken)"/>, the records handed
    /// over many at a time: each block is whole records in a row, each with its "\n" (and any "\r" before it) still
    /// on, except a final record at the blob's end that has none. The same records, the same count; for a consumer
    /// to which "\r" and "\n" only separate (wordcount), a record's own overhead is gone.</summary>
    public static async Task<long> ReadBlocksAsync(Stream stream, long start, long end, LineBlockHandler onLines, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize * 2);
        try
        {
            var position = OpenAt(start);   // absolute offset of buffer[0]
            int filled = 0, scan = 0;        // bytes in the buffer; where the search for '\n' resumes
            var recordStart = start == 0 ? 0L : -1; // -1: still skipping the partial record before the range
            long records = 0;
            var atEof = false;
            while (true)
            {
                if (recordStart < 0)
                {
                    var newline = buffer.AsSpan(scan, filled - scan).IndexOf((byte)'\n');
                    if (newline >= 0)
                    {
                        recordStart = position + scan + newline + 1;
                        scan += newline + 1;
                        if (recordStart >= end)
                        {
                            return records;
                        }
                        continue;
                    }
                    if (atEof || position + filled >= end)
                    {
                        return records; // no record starts in the range (see ReadAsync)
                    }
                    (buffer, position, filled, scan) = Compact(buffer, position, filled, filled);
                }
                else
                {
                    var first = (int)(recordStart - position);
                    var pending = buffer.AsSpan(first, filled - first);
                    var last = pending.LastIndexOf((byte)'\n');
                    if (last >= 0)
                    {
                        // Records that start at or past the range's end are the next chunk's: the block stops at the
                        // end of the record holding the range's last byte.
                        var limit = end - recordStart; // a record starting at this offset or later is not ours
                        if (last + 1 > limit)
                        {
                            var from = (int)Math.Max(0, limit - 1);
                            last = from + pending[from..].IndexOf((byte)'\n');
                        }
                        var block = pending[..(last + 1)];
                        var count = block.Count((byte)'\n');
                        onLines(block, count);
                        records += count;
                        recordStart += last + 1;
                        if (recordStart >= end)
                        {
                            return records;
                        }
                        continue;
                    }
                    if (atEof)
                    {
                        if (pending.Length > 0)
                        {
                            onLines(pending, 1); // the last line, without a newline
                            records++;
                        }
                        return records;
                    }
                    (buffer, position, filled, scan) = Compact(buffer, position, filled, first);
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                atEof = read == 0;
                filled += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Moves the bytes from `keep` to the buffer's start, and makes room for at least one more read.
    private static (byte[] Buffer, long Position, int Filled, int Scan) Compact(byte[] buffer, long position, int filled, int keep)
    {
        var kept = filled - keep;
        var target = buffer.Length - kept >= ReadSize ? buffer : ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, kept + ReadSize));
        if (keep > 0 || !ReferenceEquals(target, buffer))
        {
            // A record that fills the buffer from its start stays where it is: no copy per read.
            Buffer.BlockCopy(buffer, keep, target, 0, kept);
        }
        if (!ReferenceEquals(target, buffer))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (target, position + keep, kept, kept);
    }
}

/// <summary>Receives one record; the span is valid only during the call.</summary>
internal delegate void RecordHandler(ReadOnlySpan<byte> record);

/// <summary>Receives <paramref name="count"/> whole records in a row, newlines kept; the span is valid only during
/// the call.</summary>
internal delegate void LineBlockHandler(ReadOnlySpan<byte> lines, int count);
