using System.Text;
using CsCheck;
using FanOut.Core.Sources;

namespace FanOut.Tests.Sources;

public sealed class CsvRecordsTests
{
    // Fields: plain text, and quoted fields holding commas, newlines (LF and CRLF), escaped quotes, UTF-8.
    private static readonly Gen<string> Field = Gen.OneOf(
        Gen.String[Gen.Char["abc xyz"], 0, 8],
        Gen.Int[0, 6].Select(i => new[] { "\"a,b\"", "\"line1\nline2\"", "\"crlf\r\nin\"", "\"say \"\"hi\"\"\"", "\"東京\n𝄞\"", "\"\"", "\"\n\"" }[i]));

    private static readonly Gen<string> Row = Field.Array[1, 4].Select(fields => string.Join(',', fields));

    private static readonly Gen<(string[] Rows, string Newline, bool Trailing)> Csv =
        Gen.Select(Row.Array[0, 40], Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n")), Gen.Bool);

    [Fact]
    public void ReadAsync_AnyCsvCutIntoAnyByteRangesGivenTheQuoteParityAtEachCut_GivesEveryRowOnceInOrder()
    {
        Gen.Select(Csv, Gen.Int[1, 60]).Sample((csv, chunkBytes) =>
        {
            var (bytes, expected) = Encode(csv.Rows, csv.Newline, csv.Trailing);

            var got = new List<string>();
            for (long start = 0; start < bytes.Length; start += chunkBytes)
            {
                // What the quote-count pass of a chunkBytes job gives each chunk: the parity before its start.
                var inQuotes = bytes.AsSpan(0, (int)start).Count((byte)'"') % 2 == 1;
                got.AddRange(ReadRange(bytes, start, Math.Min(start + chunkBytes, bytes.Length), inQuotes));
            }

            Assert.Equal(expected, got);
        }, iter: 3000);
    }

    [Fact]
    public void ScanAsync_ThenReadEachPlannedChunk_GivesChunkSizeRowsPerChunkAndEveryRowOnce()
    {
        Gen.Select(Csv, Gen.Int[1, 7]).Sample((csv, chunkSize) =>
        {
            var (bytes, expected) = Encode(csv.Rows, csv.Newline, csv.Trailing);

            var plan = CsvBoundaryScanner.ScanAsync(new MemoryStream(bytes), chunkSize).GetAwaiter().GetResult();

            Assert.Equal(expected.Count, plan.Records);
            var got = new List<string>();
            for (var i = 0; i < plan.ChunkStarts.Count; i++)
            {
                var start = plan.ChunkStarts[i];
                var end = i + 1 < plan.ChunkStarts.Count ? plan.ChunkStarts[i + 1] : bytes.Length;
                var chunk = ReadRange(bytes, start, end, inQuotes: false); // whole-record chunks start outside quotes
                Assert.Equal(i + 1 < plan.ChunkStarts.Count ? chunkSize : expected.Count - i * chunkSize, chunk.Count);
                got.AddRange(chunk);
            }
            Assert.Equal(expected, got);
        }, iter: 3000);
    }

    [Fact]
    public void ReadAsync_QuotedNewlinesAndHeader_AreOneRecordAndNoRecord()
    {
        var bytes = Encoding.UTF8.GetBytes("id,text\r\n1,\"a\nb\"\r\n2,\"c,\"\"d\"\"\"\r\n");

        Assert.Equal(["1,\"a\nb\"", "2,\"c,\"\"d\"\"\""], ReadRange(bytes, 0, bytes.Length, inQuotes: false));
    }

    [Theory]
    [InlineData("h\nr1\n\"unclosed\n", 2)]               // the last quote never closes: the rest is one record
    [InlineData("h\nr1\n\"unclosed\nmore\nlines\n", 2)]
    [InlineData("h\nr1\n\"unclosed", 2)]
    [InlineData("\"h\nr1\n", 0)]                           // the header's quote never closes: no record
    [InlineData("h\na\"b\nc\"d\n\"\"\"\n", 2)]                // quotes inside unquoted fields, and a lone "" pair
    [InlineData("h\n\"\n", 1)]
    public async Task ScanAsync_MalformedCsv_CountsTheRecordsTheReadersGive_WholeAndCutAnywhere(string text, int records)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        var plan = await CsvBoundaryScanner.ScanAsync(new MemoryStream(bytes), recordsPerChunk: 1);

        Assert.Equal(records, plan.Records);
        var planned = plan.ChunkStarts.Select((start, i) => ReadRange(bytes, start, i + 1 < plan.ChunkStarts.Count ? plan.ChunkStarts[i + 1] : bytes.Length, inQuotes: false).Count);
        Assert.Equal(records, planned.Sum());
        for (var chunkBytes = 1; chunkBytes <= bytes.Length; chunkBytes++)
        {
            var cut = 0;
            for (long start = 0; start < bytes.Length; start += chunkBytes)
            {
                var inQuotes = bytes.AsSpan(0, (int)start).Count((byte)'"') % 2 == 1;
                cut += ReadRange(bytes, start, Math.Min(start + chunkBytes, bytes.Length), inQuotes).Count;
            }
            Assert.Equal(records, cut);
        }
    }

    private static (byte[] Bytes, List<string> Rows) Encode(string[] rows, string newline, bool trailing)
    {
        var all = new[] { "h1,h2" }.Concat(rows).ToArray();
        var text = string.Join(newline, all) + (trailing ? newline : "");
        var expected = rows.ToList();
        if (rows.Length > 0 && !trailing && rows[^1].Length == 0)
        {
            expected.RemoveAt(expected.Count - 1); // nothing after the last newline: not a record
        }
        return (Encoding.UTF8.GetBytes(text), expected);
    }

    private static List<string> ReadRange(byte[] bytes, long start, long end, bool inQuotes)
    {
        var records = new List<string>();
        using var stream = new MemoryStream(bytes[(int)LineRecords.OpenAt(start)..]);
        var framing = RecordFraming.Csv(inQuotes, firstByteIsBeforeStart: start > 0);
        LineRecords.ReadAsync(stream, start, end, framing, skipFirstRecord: true, r => records.Add(Encoding.UTF8.GetString(r))).GetAwaiter().GetResult();
        return records;
    }
}
