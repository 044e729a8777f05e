using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>A blob holding one JSON array (<c>format: "json"</c>), through the real worker and Azurite: every element a
/// record, the word count equal to coreutils' over the elements as an independent parser reads them; a blob that is not
/// one array is refused before anything is stored or sent.</summary>
[Collection(StorageCollection.Name)]
public sealed class JsonArrayEndToEndTests(AzuriteFixture storage)
{
    private const string Inputs = "inputs";
    private readonly JobBlobs _blobs = new(storage.ConnectionString);

    private Dictionary<string, string?> Settings() => storage.Settings(new() { ["FanOut:Storage:InputContainers"] = Inputs });

    [Fact]
    public async Task Wordcount_OverAJsonArray_EqualsTheCoreutilsOracleOverItsElements()
    {
        // Strings holding ']', ',', escaped quotes and newlines, nested arrays and objects, numbers: indented, as a tool writes it.
        var array = new JsonArray([.. Enumerable.Range(0, 3_000).Select(i => (i % 4) switch
        {
            0 => (JsonNode)JsonValue.Create($"alpha{i % 13} ] beta, \"quoted\" gamma\nline{i % 5}"),
            1 => new JsonArray(JsonValue.Create("nested ] , word"), new JsonArray(JsonValue.Create(i))),
            2 => new JsonObject { ["k"] = $"v{i % 9} ]", ["n"] = i, ["list"] = new JsonArray(JsonValue.Create(","), JsonValue.Create("x")) },
            _ => JsonValue.Create(i * 0.5),
        })]);
        var bytes = Encoding.UTF8.GetBytes(array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var blob = $"array-{Guid.NewGuid():N}.json";
        await _blobs.UploadAsync(Inputs, blob, bytes);
        var path = Path.GetTempFileName();
        using (var document = JsonDocument.Parse(bytes))
        {
            await File.WriteAllLinesAsync(path, document.RootElement.EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()));
        }
        await using var server = await LocalHostServer.StartAsync(Settings());

        var job = await PostAsync(server, new JsonObject
        {
            ["action"] = "start_fanout", ["processor"] = "wordcount", ["chunkSize"] = 97, ["options"] = new JsonObject { ["top"] = 10_000 },
            ["source"] = new JsonObject { ["container"] = Inputs, ["blob"] = blob, ["format"] = "json" },
        });

        Assert.Equal(HttpStatusCode.OK, job.Status);
        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.Equal((3_000 + 96) / 97, job.Body.GetProperty("chunks").GetProperty("total").GetInt32());
        Assert.Equal(3_000, job.Body.GetProperty("items").GetProperty("processed").GetInt64());
        var result = job.Body.GetProperty("result");
        var oracle = await Oracle.WordFrequenciesAsync(path);
        Assert.Equal(await Oracle.WordTotalAsync(path), result.GetProperty("total").GetInt64());
        var counted = result.GetProperty("top").EnumerateArray()
            .ToDictionary(w => w.GetProperty("word").GetString()!, w => w.GetProperty("count").GetInt64(), StringComparer.Ordinal);
        Assert.Equal(oracle.OrderBy(w => w.Key, StringComparer.Ordinal), counted.OrderBy(w => w.Key, StringComparer.Ordinal));
        File.Delete(path);
    }

    [Theory]
    [InlineData("{\"not\": \"an array\"}")]
    [InlineData("[1, 2, \"unterminated]")]
    [InlineData("[1, 2] trailing")]
    public async Task ABlobThatIsNotOneArray_Is400NamingTheSource_AndNothingIsStoredOrSent(string text)
    {
        var blob = $"bad-{Guid.NewGuid():N}.json";
        await _blobs.UploadAsync(Inputs, blob, Encoding.UTF8.GetBytes(text));
        await using var server = await LocalHostServer.StartAsync(Settings());
        var jobId = NewJobId();

        var refused = await PostAsync(server, new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkSize"] = 2,
            ["source"] = new JsonObject { ["container"] = Inputs, ["blob"] = blob, ["format"] = "json" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("not one JSON array", refused.Body.GetProperty("errors").GetProperty("source")[0].GetString());
        Assert.Empty(await _blobs.ListAsync($"jobs/{jobId}/"));
        Assert.Equal(0, server.ProcessChunkRequests);
    }
}
