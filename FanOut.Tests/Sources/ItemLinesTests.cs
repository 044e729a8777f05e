using System.Text;
using System.Text.Json;
using FanOut.Core.Requests;
using FanOut.Core.Sources;

namespace FanOut.Tests.Sources;

public sealed class ItemLinesTests
{
    [Fact]
    public async Task Write_ThenReadEachChunkRange_GivesEveryItemsRecordOnceInOrder()
    {
        var items = Items("""
            ["plain", "tab\there \"quoted\" \u00e9 \ud83d\ude00", 42, {"a": [1, 2]}, {
              "multi": "line"
            }, null, "", "last"]
            """);

        var blob = ItemLines.Write(items, chunkSize: 3).ToArray();

        var (offset, length) = ItemLines.OffsetsOf(0, 3);
        var offsets = ItemLines.ReadOffsets(blob.AsSpan((int)offset, length));
        Assert.Equal(4, offsets.Length);
        Assert.Equal(blob.Length, offsets[3]);
        var records = new List<string>();
        for (var chunk = 0; chunk < 3; chunk++)
        {
            var read = await ReadAsync(blob, offsets[chunk], offsets[chunk + 1]);
            Assert.Equal(chunk < 2 ? 3 : 2, read.Count);
            records.AddRange(read);
        }
        Assert.Equal(
            ["plain", "tab\there \"quoted\" é 😀", "42", """{"a": [1, 2]}""", """{"multi":"line"}""", "null", "", "last"],
            records);
    }

    [Fact]
    public async Task Stream_OfStandaloneItems_ReadsLikeStoredOnes()
    {
        using var stream = ItemLines.Stream(Items("""["a b", 1, {"x": "y"}]"""));

        byte[]? scratch = null;
        var records = new List<string>();
        var count = await LineRecords.ReadAsync(stream, 0, stream.Length, line => records.Add(Encoding.UTF8.GetString(ItemLines.Record(line, ref scratch))));
        Assert.Equal(3, count);
        Assert.Equal(["a b", "1", """{"x": "y"}"""], records);
    }

    [Fact]
    public async Task Write_ItemsWhoseStringsAreNotText_AreRecordsOfTheirJsonText()
    {
        // A lone surrogate escape is valid JSON text but no UTF-8 text: such a string item is given as its JSON
        // text; an object item with one, spread over lines, loses only its line breaks (it cannot be re-written).
        var items = Items("[\"a\\ud800b\", \"ok \\u00e9\", {\r\n  \"x\": \"\\udc00\"\n}, \"\\ud83d\\ude00\"]");

        var blob = ItemLines.Write(items, chunkSize: 10).ToArray();

        var offsets = ItemLines.ReadOffsets(blob.AsSpan(0, 16));
        Assert.Equal(
            ["\"a\\ud800b\"", "ok é", "{  \"x\": \"\\udc00\"}", "😀"],
            await ReadAsync(blob, offsets[0], offsets[1]));
    }

    [Fact]
    public void Write_NoItems_HasOnlyTheEndOffset()
    {
        var blob = ItemLines.Write(InlineItems.None, chunkSize: 10).ToArray();

        Assert.Equal(9, blob.Length);
        Assert.Equal([9L], ItemLines.ReadOffsets(blob.AsSpan(0, 8)));
    }

    private static InlineItems Items(string json) => InlineItems.Of(Encoding.UTF8.GetBytes(json));

    private static async Task<List<string>> ReadAsync(byte[] blob, long start, long end)
    {
        var stream = new MemoryStream(blob);
        stream.Position = LineRecords.OpenAt(start);
        byte[]? scratch = null;
        var records = new List<string>();
        await LineRecords.ReadAsync(stream, start, end, line => records.Add(Encoding.UTF8.GetString(ItemLines.Record(line, ref scratch))));
        return records;
    }
}
