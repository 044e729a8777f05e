using System.Text;
using System.Text.Json;
using FanOut.Tests.Support;

namespace FanOut.Tests.Support;

/// <summary>CSV blobs whose quoted fields hold newlines, escaped quotes and multi-byte text, long enough that byte
/// cuts land inside them; the answer is known from how each was written (its rows), not by parsing it.</summary>
internal static class CsvSources
{
    /// <summary>A CSV text: its bytes, and its rows as written (without their line ends; the first is the header).</summary>
    public sealed record Csv(byte[] Bytes, IReadOnlyList<string> Rows)
    {
        /// <summary>What <c>count</c> answers for it: its rows but the header, and their UTF-8 bytes.</summary>
        public string Count => InlineJobs.Canonical(JsonSerializer.SerializeToElement(new
        {
            records = (long)Rows.Count - 1,
            bytes = Rows.Skip(1).Sum(r => (long)Encoding.UTF8.GetByteCount(r)),
        }));

        /// <summary>The byte cuts (multiples of <paramref name="chunkBytes"/>) that lie inside a quoted field with a
        /// newline between the cut and the field's end: where a reader that does not know the quote state goes wrong.</summary>
        public IReadOnlyList<long> CutsInsideQuotedNewlines(long chunkBytes)
        {
            var cuts = new List<long>();
            var inside = false;
            long? newlineSinceCut = null;
            long nextCut = chunkBytes;
            for (long i = 0; i < Bytes.Length; i++)
            {
                if (i == nextCut)
                {
                    newlineSinceCut = inside ? -1 : null;
                    nextCut += chunkBytes;
                }
                if (Bytes[i] == '"')
                {
                    inside = !inside;
                    if (!inside && newlineSinceCut is { } seen && seen >= 0)
                    {
                        cuts.Add(nextCut - chunkBytes);
                    }
                    newlineSinceCut = inside ? newlineSinceCut : null;
                }
                else if (Bytes[i] == '\n' && newlineSinceCut == -1)
                {
                    newlineSinceCut = i;
                }
            }
            return cuts;
        }
    }

    private static readonly string[] Words = ["alpha", "beta", "naïve", "日本語", "Straße", "x", "comma, inside", "say \"\"hi\"\"", "end"];

    /// <summary>At least <paramref name="minBytes"/> of CSV (seeded): header id,name,note,qty; most of the bytes are
    /// in quoted notes of up to 3 KB with "\n" and "\r\n" inside; some rows end with "\r\n".</summary>
    public static Csv Generate(int seed, long minBytes)
    {
        var random = new Random(seed);
        var rows = new List<string> { "id,name,note,qty" };
        var text = new StringBuilder(rows[0]).Append('\n');
        var bytes = Encoding.UTF8.GetByteCount(text.ToString());
        for (var id = 1; bytes < minBytes; id++)
        {
            var note = new StringBuilder();
            for (var length = random.Next(20, 3000); note.Length < length;)
            {
                note.Append(Words[random.Next(Words.Length)]).Append(random.Next(6) switch { 0 => "\n", 1 => "\r\n", _ => " " });
            }
            var name = random.Next(3) == 0 ? $"\"{Words[random.Next(Words.Length)]}\"" : $"name{id}";
            var row = $"{id},{name},\"{note}\",{random.Next(1000)}";
            var end = random.Next(5) == 0 ? "\r\n" : "\n";
            rows.Add(row);
            text.Append(row).Append(end);
            bytes += Encoding.UTF8.GetByteCount(row) + end.Length;
        }
        return new Csv(Encoding.UTF8.GetBytes(text.ToString()), rows);
    }

    /// <summary>The start_fanout body of a CSV job cut by bytes.</summary>
    public static string Start(string jobId, long chunkBytes, string? blob = null, string? prefix = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["action"] = "start_fanout",
            ["jobId"] = jobId,
            ["processor"] = "count",
            ["chunkBytes"] = chunkBytes,
            ["source"] = new Dictionary<string, string>
            {
                ["container"] = InMemoryBlobService.InputContainer,
                [blob is null ? "prefix" : "blob"] = blob ?? prefix!,
                ["format"] = "csv",
            },
        });
}
