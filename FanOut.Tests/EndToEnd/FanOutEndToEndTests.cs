using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;

namespace FanOut.Tests.EndToEnd;

/// <summary>start_fanout through LocalHost over real loopback sockets: every process_chunk is a real
/// POST from the app's typed HttpClient, with its Polly policies, back to the same Kestrel server.</summary>
[Collection(StorageCollection.Name)]
public sealed class FanOutEndToEndTests(AzuriteFixture storage)
{
    [Fact]
    public async Task StartFanout_TenThousandItemsBy1000_SendsExactlyTenChunksAndCountsEveryItem()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var items = new JsonArray([.. Enumerable.Range(0, 10_000).Select(i => JsonValue.Create(i))]);

        var job = await StartAsync(server, new JsonObject { ["processor"] = "count", ["chunkSize"] = 1000, ["items"] = items });

        Assert.Equal(10, server.ProcessChunkRequests);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(10, job.GetProperty("chunks").GetProperty("total").GetInt32());
        Assert.Equal(10, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Equal(10_000, job.GetProperty("items").GetProperty("processed").GetInt64());
        Assert.Equal(10_000, job.GetProperty("result").GetProperty("records").GetInt64());
        var digits = Enumerable.Range(0, 10_000).Sum(i => (long)i.ToString().Length);
        Assert.Equal(digits, job.GetProperty("result").GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task StartFanout_WordcountOverARealText_EqualsTheCoreutilsOracle()
    {
        var path = await WriteCorpusAsync();
        using var cleanup = new TempFile(path);
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var lines = (await File.ReadAllTextAsync(path)).Split('\n');

        var job = await StartAsync(server, new JsonObject
        {
            ["processor"] = "wordcount",
            ["chunkSize"] = 250,
            ["options"] = new JsonObject { ["top"] = 10_000 },
            ["items"] = new JsonArray([.. lines.Select(l => JsonValue.Create(l))]),
        });

        var oracle = await Oracle.WordFrequenciesAsync(path);
        var result = job.GetProperty("result");
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal((lines.Length + 249) / 250, server.ProcessChunkRequests);
        Assert.Equal(await Oracle.WordTotalAsync(path), result.GetProperty("total").GetInt64());
        Assert.Equal(oracle.Values.Sum(), result.GetProperty("total").GetInt64());
        Assert.Equal(oracle.Count, result.GetProperty("distinct").GetInt32());
        var counted = result.GetProperty("top").EnumerateArray()
            .ToDictionary(w => w.GetProperty("word").GetString()!, w => w.GetProperty("count").GetInt64(), StringComparer.Ordinal);
        Assert.Equal(oracle.OrderBy(w => w.Key, StringComparer.Ordinal), counted.OrderBy(w => w.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task StartFanout_ChunksAnswered503OrCutOff_JobCompletesCountingEveryItemOnce()
    {
        var faults = new FaultInjector(probability: 0.2, seed: 20261126);
        await using var server = await LocalHostServer.StartAsync(
            storage.Settings(new() { ["FanOut:Dispatch:BaseRetryDelayMilliseconds"] = "20" }), faults);
        const int itemCount = 3_000;
        var items = new JsonArray([.. Enumerable.Range(0, itemCount).Select(i => JsonValue.Create($"item {i}"))]);

        var job = await StartAsync(server, new JsonObject { ["processor"] = "wordcount", ["chunkSize"] = 20, ["items"] = items });

        // About a fifth of the process_chunk requests were broken, in every way the injector knows.
        Assert.InRange(faults.Injected, server.ProcessChunkRequests / 10, server.ProcessChunkRequests / 3);
        Assert.All(new[] { ChunkFault.Unavailable, ChunkFault.CutBeforeProcessing, ChunkFault.CutAfterProcessing },
            kind => Assert.True(faults.Count(kind) > 0, $"no {kind} fault was injected"));
        Assert.Equal(150 + faults.Injected, server.ProcessChunkRequests);
        // ... and still every item counted exactly once.
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(150, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Empty(job.GetProperty("failures").EnumerateArray());
        Assert.Equal(itemCount, job.GetProperty("items").GetProperty("processed").GetInt64());
        var result = job.GetProperty("result");
        Assert.Equal(2 * itemCount, result.GetProperty("total").GetInt64());
        Assert.Equal(itemCount + 1, result.GetProperty("distinct").GetInt32());
        Assert.Equal("item", result.GetProperty("top")[0].GetProperty("word").GetString());
        Assert.Equal(itemCount, result.GetProperty("top")[0].GetProperty("count").GetInt64());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task StartFanout_MaxConcurrency_BoundsTheChunksInFlight(int maxConcurrency)
    {
        // Each chunk is held 30 ms, so the dispatcher always has more to send than it may.
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), chunkDelay: TimeSpan.FromMilliseconds(30));
        var items = new JsonArray([.. Enumerable.Range(0, 24).Select(i => JsonValue.Create(i))]);

        var job = await StartAsync(server, new JsonObject { ["chunkSize"] = 1, ["maxConcurrency"] = maxConcurrency, ["items"] = items });

        Assert.Equal(24, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Equal(maxConcurrency, server.PeakProcessChunkInFlight);
    }

    [Fact]
    public async Task Post_UnknownActionOverHttp_Is400ProblemAndDispatchesNothing()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());

        using var response = await server.Client.PostAsync("api/batch", new StringContent("""{ "action": "start" }""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("start_fanout", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, server.ProcessChunkRequests);
    }

    private static async Task<JsonElement> StartAsync(LocalHostServer server, JsonObject job)
    {
        job["action"] = "start_fanout";
        using var response = await server.Client.PostAsJsonAsync("api/batch", job);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    // A real text: the licence texts every Debian system ships (base-files), plus lines of UTF-8 words
    // and every ASCII whitespace character, written to a temporary file the oracle reads too.
    private static async Task<string> WriteCorpusAsync()
    {
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles("/usr/share/common-licenses").Order(StringComparer.Ordinal))
        {
            text.Append(await File.ReadAllTextAsync(file));
        }
        text.Append("naïve café Straße  déjà-vu\tcafé\vnaïve\fStraße\r\nZürich zürich ZÜRICH 東京x\n");
        var path = Path.Combine(Path.GetTempPath(), $"fanout-corpus-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, text.ToString(), new UTF8Encoding(false));
        return path;
    }

    private sealed class TempFile(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
