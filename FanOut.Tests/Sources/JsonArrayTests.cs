using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FanOut.Core.Sources;

namespace FanOut.Tests.Sources;

/// <summary>A JSON array blob is cut at its elements by a scan that knows strings and escapes, and each chunk's range reads
/// back exactly its elements: the records equal what System.Text.Json's own parse of the whole array gives.</summary>
public sealed class JsonArrayTests
{
    private const string Tricky = """
        [ "a]b", "c,d", "e\"],f", [1, [2, "]"], []], {"x": "]", "y": [",", {"z": "\\"}]}, 42, -1.5e3, true, null, "\\",
          "", {}, "é ü \u00e9 \ud83d\ude00", "  spaced  words  " ]
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(100)]
    public async Task TrickyElements_AreEachOneRecord_InEveryChunking(int chunkSize)
    {
        var bytes = Encoding.UTF8.GetBytes(Tricky);

        var records = await RecordsAsync(bytes, chunkSize);

        Assert.Equal(Oracle(bytes), records);
        Assert.Equal(14, records.Count);
    }

    [Fact]
    public async Task AGeneratedArray_Indented_ReadsBackAsTheParserSeesIt()
    {
        var bytes = Generated(seed: 7, count: 2_000);

        foreach (var chunkSize in new[] { 1, 3, 64, 5_000 })
        {
            var plan = await JsonArrayScanner.ScanAsync(new MemoryStream(bytes), chunkSize);
            Assert.Equal(2_000, plan.Records);
            Assert.Equal((2_000 + chunkSize - 1) / chunkSize, plan.ChunkStarts.Count);
            Assert.Equal(Oracle(bytes), await RecordsAsync(bytes, chunkSize));
        }
    }

    [Fact]
    public async Task AnEmptyArray_HasNoChunks()
    {
        var plan = await JsonArrayScanner.ScanAsync(new MemoryStream("\uFEFF [ \n ] \n"u8.ToArray()), 10);

        Assert.Empty(plan.ChunkStarts);
        Assert.Equal(0, plan.Records);
    }

    [Theory]
    [InlineData("", "holds no JSON array")]
    [InlineData("  ", "holds no JSON array")]
    [InlineData("{\"a\": [1]}", "does not start with '['")]
    [InlineData("[1, 2", "not closed")]
    [InlineData("[\"a]", "string is not terminated")]
    [InlineData("[1, ]", "an element is missing")]
    [InlineData("[, 1]", "an element is missing")]
    [InlineData("[1] [2]", "more after the array")]
    [InlineData("[{\"a\": 1}}]", "closes nothing")]
    public async Task ABlobThatIsNotOneArray_IsRefused_SayingWhereAndWhy(string text, string why)
    {
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => JsonArrayScanner.ScanAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), 2));

        Assert.Contains(why, refused.Message);
        Assert.Contains("at byte", refused.Message);
    }

    [Fact]
    public async Task AnElementThatIsNotJson_FailsItsChunk_NamingItsByte()
    {
        var bytes = "[1, tru, 3]"u8.ToArray();
        var plan = await JsonArrayScanner.ScanAsync(new MemoryStream(bytes), 10);

        var failed = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(bytes, plan.ChunkStarts[0], plan.End));

        Assert.Contains("at byte 4", failed.Message);
    }

    private static async Task<List<string>> RecordsAsync(byte[] bytes, int chunkSize)
    {
        var plan = await JsonArrayScanner.ScanAsync(new MemoryStream(bytes), chunkSize);
        var records = new List<string>();
        for (var i = 0; i < plan.ChunkStarts.Count; i++)
        {
            records.AddRange(await ReadAsync(bytes, plan.ChunkStarts[i], i + 1 < plan.ChunkStarts.Count ? plan.ChunkStarts[i + 1] : plan.End));
        }
        return records;
    }

    private static async Task<List<string>> ReadAsync(byte[] bytes, long start, long end)
    {
        var records = new List<string>();
        var stream = new MemoryStream(bytes) { Position = start };
        await JsonArrayRecords.ReadAsync(stream, start, end, record => records.Add(Encoding.UTF8.GetString(record)));
        return records;
    }

    // What an independent parser makes of the array: a string element's value, any other element's text as written.
    private static List<string> Oracle(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        return [.. document.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())];
    }

    private static byte[] Generated(int seed, int count)
    {
        var random = new Random(seed);
        string[] pieces = ["]", "[", ",", "\"", "\\", "{", "}", " ", "\n", "é", "word", "\u2028", "\t"];
        string Text() => string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => pieces[random.Next(pieces.Length)]));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            for (var i = 0; i < count; i++)
            {
                switch (random.Next(4))
                {
                    case 0:
                        json.WriteStringValue(Text());
                        break;
                    case 1:
                        json.WriteNumberValue(random.Next(-1000, 1000) / 8.0);
                        break;
                    case 2:
                        json.WriteStartArray();
                        json.WriteStringValue(Text());
                        json.WriteStartArray();
                        json.WriteNumberValue(i);
                        json.WriteEndArray();
                        json.WriteEndArray();
                        break;
                    default:
                        json.WriteStartObject();
                        json.WriteString(Text(), Text());
                        json.WriteBoolean("b", i % 2 == 0);
                        json.WriteNull("n");
                        json.WriteEndObject();
                        break;
                }
            }
            json.WriteEndArray();
        }
        return buffer.ToArray();
    }
}
