using System.Text;
using CsCheck;
using FanOut.Core.Sources;

namespace FanOut.Tests.Sources;

public sealed class LineRecordsTests
{
    // Records: empty ones, ASCII, multi-byte UTF-8 (2, 3 and 4 bytes), some ending in '\r' (CRLF files).
    private static readonly Gen<string> Record = Gen.OneOf(
        Gen.Const(""),
        Gen.String[Gen.Char["abc xyz"], 0, 12],
        Gen.Int[0, 4].Select(i => new[] { "a", "é", "東", "𝄞", " " }[i]).Array[1, 6].Select(string.Concat),
        Gen.Const("𝄞 clef"));

    private static readonly Gen<(string[] Records, string Newline, bool Trailing)> Text =
        Gen.Select(Record.Array[0, 60], Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n")), Gen.Bool);

    [Fact]
    public void ReadAsync_AnyTextCutIntoAnyByteRanges_GivesEveryRecordExactlyOnceInOrder()
    {
        Gen.Select(Text, Gen.Int[1, 40], Gen.Int[0, 1000]).Sample((text, chunkBytes, seed) =>
        {
            var (bytes, expected) = Encode(text.Records, text.Newline, text.Trailing);

            var got = new List<string>();
            for (long start = 0; start < bytes.Length; start += chunkBytes)
            {
                got.AddRange(ReadRange(bytes, start, Math.Min(start + chunkBytes, bytes.Length)));
            }

            Assert.Equal(expected, got);
        }, iter: 3000);
    }

    // The block reader hands over the same records: each block, split at its newlines (a trailing "\r" off each),
    // is its records, and the counts add up to theirs.
    [Fact]
    public void ReadBlocksAsync_AnyTextCutIntoAnyByteRanges_GivesTheRecordsReadAsyncGives()
    {
        Gen.Select(Text, Gen.Int[1, 40]).Sample((text, chunkBytes) =>
        {
            var (bytes, expected) = Encode(text.Records, text.Newline, text.Trailing);

            var got = new List<string>();
            for (long start = 0; start < bytes.Length; start += chunkBytes)
            {
                var end = Math.Min(start + chunkBytes, bytes.Length);
                var blocks = ReadBlocks(bytes, start, end, out var count);
                Assert.Equal(ReadRange(bytes, start, end), blocks);
                Assert.Equal(blocks.Count, count);
                got.AddRange(blocks);
            }

            Assert.Equal(expected, got);
        }, iter: 3000);
    }

    [Fact]
    public void ReadBlocksAsync_RecordLongerThanTheReadBuffer_IsWhole_AndARangeInsideItOwnsNothing()
    {
        var longLine = new string('x', 300_000);
        var bytes = Encoding.UTF8.GetBytes($"a\r\n{longLine}\nb");

        Assert.Equal(["a", longLine, "b"], ReadBlocks(bytes, 0, bytes.Length, out var all));
        Assert.Equal(3, all);
        Assert.Equal([longLine], ReadBlocks(bytes, 1, 10, out _));
        Assert.Empty(ReadBlocks(bytes, 10, 200_000, out var none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void ScanAsync_ThenReadEachPlannedChunk_GivesChunkSizeRecordsPerChunkAndEveryRecordOnce()
    {
        Gen.Select(Text, Gen.Int[1, 7]).Sample((text, chunkSize) =>
        {
            var (bytes, expected) = Encode(text.Records, text.Newline, text.Trailing);

            var plan = LineBoundaryScanner.ScanAsync(new SmallReads(bytes), chunkSize).GetAwaiter().GetResult();

            Assert.Equal(expected.Count, plan.Records);
            Assert.Equal(bytes.Length, plan.Length);
            Assert.Equal((expected.Count + chunkSize - 1) / chunkSize, plan.ChunkStarts.Count);
            var got = new List<string>();
            for (var i = 0; i < plan.ChunkStarts.Count; i++)
            {
                var end = i + 1 < plan.ChunkStarts.Count ? plan.ChunkStarts[i + 1] : bytes.Length;
                var chunk = ReadRange(bytes, plan.ChunkStarts[i], end);
                Assert.Equal(i + 1 < plan.ChunkStarts.Count ? chunkSize : expected.Count - i * chunkSize, chunk.Count);
                got.AddRange(chunk);
            }
            Assert.Equal(expected, got);
        }, iter: 3000);
    }

    [Theory]
    [InlineData("a\nb\n", new[] { "a", "b" })]
    [InlineData("a\nb", new[] { "a", "b" })]
    [InlineData("a\n\nb\r\n", new[] { "a", "", "b" })]
    [InlineData("\n", new[] { "" })]
    [InlineData("", new string[0])]
    public void ReadAsync_WholeText_RecordsAreLinesWithoutTheirNewline(string text, string[] records) =>
        Assert.Equal(records, ReadRange(Encoding.UTF8.GetBytes(text), 0, Encoding.UTF8.GetByteCount(text)));

    [Fact]
    public void ReadAsync_RecordLongerThanTheReadBuffer_IsWhole()
    {
        var longLine = new string('x', 300_000);
        var bytes = Encoding.UTF8.GetBytes($"a\n{longLine}\nb\n");

        Assert.Equal(["a", longLine, "b"], ReadRange(bytes, 0, bytes.Length));
        Assert.Equal([longLine], ReadRange(bytes, 1, 10));
    }

    [Theory]
    [InlineData(3)]          // starts one byte into the record
    [InlineData(1_000_000)]  // in its middle
    [InlineData(3_934_464)]  // its last 64 KiB: the next record starts at the range's end
    public async Task ReadAsync_RangeWhollyInsideALongRecord_ReadsAboutItsRangeAndOwnsNoRecord(int start)
    {
        const int chunkBytes = 64 * 1024;
        var bytes = Encoding.UTF8.GetBytes("a\n" + new string('x', 4_000_000 - 3) + "\nb\n");
        var stream = new CountingStream(bytes[(int)LineRecords.OpenAt(start)..]);

        var records = await LineRecords.ReadAsync(stream, start, start + chunkBytes, _ => { });

        Assert.Equal(0, records);
        // Its range, the byte before, and at most one read (the reader's buffer) past the end; not the 4 MB record.
        Assert.InRange(stream.BytesRead, chunkBytes, chunkBytes + 1 + 128 * 1024);
    }

    private static (byte[] Bytes, List<string> Records) Encode(string[] records, string newline, bool trailing)
    {
        var text = string.Join(newline, records) + (trailing && records.Length > 0 ? newline : "");
        // "" joined is no record at all; a lone trailing newline after an empty last record is one record.
        var expected = records.ToList();
        if (records.Length > 0 && !trailing && records[^1].Length == 0)
        {
            expected.RemoveAt(expected.Count - 1); // nothing after the last newline: not a record
        }
        return (Encoding.UTF8.GetBytes(text), expected);
    }

    private static List<string> ReadRange(byte[] bytes, long start, long end)
    {
        var records = new List<string>();
        var open = LineRecords.OpenAt(start);
        using var stream = new SmallReads(bytes[(int)open..]);
        LineRecords.ReadAsync(stream, start, end, r => records.Add(Encoding.UTF8.GetString(r))).GetAwaiter().GetResult();
        return records;
    }

    // The records of the blocks ReadBlocksAsync hands over, and the count it answers.
    private static List<string> ReadBlocks(byte[] bytes, long start, long end, out long count)
    {
        var records = new List<string>();
        var open = LineRecords.OpenAt(start);
        using var stream = new SmallReads(bytes[(int)open..]);
        count = LineRecords.ReadBlocksAsync(stream, start, end, (lines, n) =>
        {
            var text = Encoding.UTF8.GetString(lines);
            var pieces = text.Split('\n').ToList();
            if (text.EndsWith('\n'))
            {
                pieces.RemoveAt(pieces.Count - 1);
            }
            Assert.Equal(pieces.Count, n);
            records.AddRange(pieces.Select(p => p.EndsWith('\r') ? p[..^1] : p));
        }).GetAwaiter().GetResult();
        return records;
    }

    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public long BytesRead { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            BytesRead += read;
            return read;
        }
    }

    // Hands out at most 7 bytes per read, so that records and newlines straddle reads.
    private sealed class SmallReads(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 7)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 7)], cancellationToken);
    }
}
