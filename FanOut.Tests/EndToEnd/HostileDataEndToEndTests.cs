using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Processing;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Records that are not text (lone surrogate escapes, invalid UTF-8) and every whitespace and control byte,
/// through every built-in processor, from blobs and inline, through the real worker and Azurite: no chunk fails and
/// no call is answered 500; project counts those records invalid; wordcount equals the coreutils oracle over the bytes.</summary>
[Collection(StorageCollection.Name)]
public sealed class HostileDataEndToEndTests(AzuriteFixture storage)
{
    private const string Inputs = "inputs";
    private static readonly List<HostileCorpus.Record> Corpus = HostileCorpus.Generate(seed: 2026, count: 6000);
    private readonly JobBlobs _blobs = new(storage.ConnectionString);

    [Theory]
    [InlineData("wordcount", "lines", "chunkBytes", 65536)]
    [InlineData("wordcount", "ndjson", "chunkSize", 700)]
    [InlineData("project", "ndjson", "chunkBytes", 65536)]
    [InlineData("project", "ndjson", "chunkSize", 700)]
    [InlineData("count", "lines", "chunkBytes", 65536)]
    public async Task BlobSource_HostileRecords_NoChunkFails_AndEveryProcessorIsExact(string processor, string format, string chunking, int size)
    {
        var bytes = HostileCorpus.Lines(Corpus);
        var blob = $"hostile-{Guid.NewGuid():N}.txt";
        await _blobs.UploadAsync(Inputs, blob, bytes);
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Storage:InputContainers"] = Inputs }));

        var job = await PostAsync(server, new JsonObject
        {
            ["action"] = "start_fanout", ["processor"] = processor, [chunking] = size, ["options"] = Options(processor),
            ["source"] = new JsonObject { ["container"] = Inputs, ["blob"] = blob, ["format"] = format },
        });

        Assert.True(job.Status == HttpStatusCode.OK, job.Body.ToString());
        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.True(job.Body.GetProperty("chunks").GetProperty("total").GetInt32() >= 4);
        Assert.Equal([200], server.ProcessChunkAnswers.Keys);
        Assert.Equal(Corpus.Count, job.Body.GetProperty("items").GetProperty("processed").GetInt64());
        await AssertResultAsync(processor, job.Body.GetProperty("result"), [.. Corpus.Select(r => r.Bytes)], Corpus.Count(r => r.ValidId is null));
    }

    // Inline items reach the processors through a standalone chunk (the seed's process_chunk): a start_fanout of such
    // items is refused or admitted by the request side (its job fingerprint), before any chunk runs.
    [Theory]
    [InlineData("wordcount")]
    [InlineData("project")]
    [InlineData("count")]
    public async Task InlineItems_HostileStrings_TheChunkIsExactForEveryProcessor(string processor)
    {
        // Each item as sent (JSON text), and the record it is: a string's value, else its JSON text; a string with a
        // lone surrogate escape, which has no UTF-8 value, its JSON text too.
        (string Json, string Record, bool Invalid)[] kinds =
        [
            ("\"plain words here\"", "plain words here", true),
            ("\"tab\\there\\u000bvt\\u0000nul\\u001f\\u007f \\u00e9\"", "tab\there\vvt\0nul\u001f\u007f é", true),
            ("\"w\\ud800w x\"", "\"w\\ud800w x\"", true),
            ("\"\\ud83d\\ude00 pair\"", "😀 pair", true),
            ("{\"id\":1,\"name\":\"ok\"}", "{\"id\":1,\"name\":\"ok\"}", false),
            ("{\"id\":2,\"name\":\"\\udc00\"}", "{\"id\":2,\"name\":\"\\udc00\"}", true),
            ("{\"\\ud800\":3}", "{\"\\ud800\":3}", true),
            ("42", "42", true),
        ];
        // Inline items are part of the request: a string in them that is not Unicode text (a lone surrogate escape) is a
        // 400 naming the item, before anything runs (Requests/BodyScan); blob data with one is counted, as the tests above show.
        var lone = kinds.Where(k => k.Json.Contains("\\ud800", StringComparison.Ordinal) || k.Json.Contains("\\udc00", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lone.Count);
        var items = Enumerable.Range(0, 5).SelectMany(_ => kinds.Except(lone)).ToList();
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var refusedBody = $$"""{"processor":"{{processor}}","items":["fine",{{lone[0].Json}}]}""";
        using (var refused = await server.Client.PostAsync("api/batch", new StringContent(refusedBody, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("items[1]", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var body = $$"""
            {"processor":"{{processor}}","options":{{Options(processor)?.ToJsonString() ?? "{}"}},"items":[{{string.Join(",", items.Select(i => i.Json))}}]}
            """;

        using var response = await server.Client.PostAsync("api/batch", new StringContent(body, Encoding.UTF8, "application/json"));
        var chunk = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.True(response.StatusCode == HttpStatusCode.OK, chunk.ToString());
        Assert.Equal(items.Count, chunk.GetProperty("items").GetInt64());
        var result = processor == "wordcount"
            ? JsonDocument.Parse(WordCountResultOf(chunk.GetProperty("result"))).RootElement
            : chunk.GetProperty("result");
        await AssertResultAsync(processor, result, [.. items.Select(i => Encoding.UTF8.GetBytes(i.Record))], items.Count(i => i.Invalid));
    }

    // A standalone chunk answers its partial ({ total, words, byteWords }): as a result's list of words.
    private static string WordCountResultOf(JsonElement partial)
    {
        var top = new JsonArray();
        foreach (var word in partial.GetProperty("words").EnumerateObject())
        {
            top.Add(new JsonObject { ["word"] = word.Name, ["count"] = word.Value.GetInt64() });
        }
        foreach (var word in partial.TryGetProperty("byteWords", out var byteWords) ? byteWords.EnumerateObject() : default)
        {
            top.Add(new JsonObject { ["word"] = "", ["bytes"] = word.Name, ["count"] = word.Value.GetInt64() });
        }
        return new JsonObject { ["total"] = partial.GetProperty("total").GetInt64(), ["distinct"] = top.Count, ["top"] = top }.ToJsonString();
    }

    private static JsonNode? Options(string processor) => processor switch
    {
        "wordcount" => new JsonObject { ["top"] = 10_000 },
        "project" => new JsonObject { ["fields"] = new JsonArray("id", "name") },
        _ => null,
    };

    private static async Task AssertResultAsync(string processor, JsonElement result, List<byte[]> records, int invalid)
    {
        switch (processor)
        {
            case "wordcount":
                var path = Path.Combine(Path.GetTempPath(), $"fanout-hostile-{Guid.NewGuid():N}.txt");
                await File.WriteAllBytesAsync(path, [.. records.SelectMany(r => r.Append((byte)'\n'))]);
                var oracle = await Oracle.WordBytesFrequenciesAsync(path);
                File.Delete(path);
                Assert.Equal(oracle.Values.Sum(), result.GetProperty("total").GetInt64());
                Assert.Equal(oracle.Count, result.GetProperty("distinct").GetInt32());
                Assert.Equal(oracle.OrderBy(w => w.Key, StringComparer.Ordinal), HostileRecordsTests.WordBytes(result).OrderBy(w => w.Key, StringComparer.Ordinal));
                break;
            case "project":
                Assert.Equal(records.Count, result.GetProperty("records").GetInt64());
                Assert.Equal(invalid, result.GetProperty("invalid").GetInt64());
                Assert.Equal(records.Count - invalid, result.GetProperty("emitted").GetInt64());
                break;
            default:
                // A line's record has no final '\r' (the reader takes "\r\n" as a line end).
                Assert.Equal(records.Count, result.GetProperty("records").GetInt64());
                Assert.Equal(records.Sum(r => (long)r.Length - (r[^1] == '\r' ? 1 : 0)), result.GetProperty("bytes").GetInt64());
                break;
        }
    }
}
