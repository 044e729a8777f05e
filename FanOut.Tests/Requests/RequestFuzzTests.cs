using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CsCheck;
using FanOut.Core.Http;
using FanOut.Tests.Support;

namespace FanOut.Tests.Requests;

/// <summary>Valid requests mutated at random, against the real endpoint and Azurite: never a 500, every
/// refusal a problem+json, and a refused request writes no blob and sends no call.</summary>
[Collection(StorageCollection.Name)]
public sealed class RequestFuzzTests(AzuriteFixture storage, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Seeds =
    [
        """{"action":"start_fanout","jobId":"fuzz-1","processor":"wordcount","chunkSize":2,"items":["a b","c"],"waitSeconds":0,"maxConcurrency":2,"toleratedFailurePercent":0,"options":{"top":3,"lowercase":true}}""",
        """{"action":"start_fanout","processor":"count","items":[1,2,3],"dryRun":true}""",
        """{"action":"start_fanout","processor":"project","items":[{"a":1}],"options":{"fields":["a"],"where":{"field":"a","equals":1}},"waitSeconds":0}""",
        """{"action":"start_fanout","source":{"container":"inputs","blob":"fuzz/data.txt","format":"lines"},"chunkBytes":65536,"waitSeconds":0}""",
        """{"action":"start_fanout","source":{"container":"inputs","prefix":"fuzz/","format":"csv"},"chunkSize":10,"dryRun":true}""",
        """{"action":"resume","jobId":"fuzz-1","waitSeconds":0}""",
        """{"chunk":0,"processor":"count","items":["a"]}""",
        """{"action":"process_chunk","chunk":1,"processor":"wordcount","options":{"top":1},"items":["x y"]}""",
        """{"action":"dispatch","jobId":"fuzz-1","runId":"r","depth":1}""",
    ];

    private static readonly string[] Names =
        ["action", "jobId", "items", "source", "chunkSize", "chunkBytes", "processor", "options", "waitSeconds", "dryRun", "maxConcurrency",
         "toleratedFailurePercent", "depth", "chunk", "first", "count", "pending", "runId", "budgetMs", "container", "blob", "prefix", "format",
         "chunk_size", "Items", "top", "fields", "where", "inQuotes", "start", "end", "etag", "x",
         "selfBaseUrl", "url", "host", "callback", "connectionString", "accountName", "endpoint"];

    private static readonly Gen<JsonNode?> Scalar = Gen.OneOf<JsonNode?>(
        Gen.Const((JsonNode?)null),
        Gen.Bool.Select(b => (JsonNode?)b),
        Gen.Int.Select(i => (JsonNode?)i),
        Gen.OneOf(0, -1, 1, 2, 65535, 65536, 100_000, 100_001, int.MaxValue, int.MinValue).Select(i => (JsonNode?)i),
        Gen.OneOf(1e300, -0.5, 2.5, 1e-9).Select(d => (JsonNode?)d),
        Gen.Long.Select(l => (JsonNode?)l),
        Gen.OneOf("", "start_fanout", "process_chunk", "dispatch", "resume", "count_quotes", "../x", "a//b", "a\\b", "inputs", "secrets",
            "fuzz/data.txt", "lines", "csv", "ndjson", "wordcount", "count", "project", "\u0000", "ab\u00e9\U0001F600", new string('a', 300),
            "http://169.254.169.254/", "https://evil.example/api/batch", "DefaultEndpointsProtocol=https;AccountName=evil;AccountKey=a2V5",
            "fuzz-1").Select(s => (JsonNode?)s),
        Gen.String.Select(s => (JsonNode?)s));

    private static readonly Gen<JsonNode?> Value = Gen.OneOf(
        Scalar,
        Scalar.Array[0, 4].Select(a => (JsonNode?)new JsonArray([.. a])),
        Gen.Select(Gen.OneOf(Names), Scalar).Array[0, 3].Select(p =>
        {
            var o = new JsonObject();
            foreach (var (k, v) in p)
            {
                o[k] = v;
            }
            return (JsonNode?)o;
        }));

    /// <summary>A valid request with one to three random mutations (one in ten also broken as text).</summary>
    internal static readonly Gen<string> Mutated =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Select(Gen.Int[0, 3], Gen.OneOf(Names), Value, Gen.Int[0, 1000]).Array[1, 3], Gen.Int[0, 9], Gen.Int[0, 10_000])
            .Select((seed, mutations, corrupt, at) =>
            {
                var body = JsonNode.Parse(Seeds[seed])!.AsObject();
                foreach (var (kind, name, value, pick) in mutations)
                {
                    var target = kind == 3 && body.FirstOrDefault(p => p.Value is JsonObject).Value is JsonObject nested ? nested : body;
                    var keys = target.Select(p => p.Key).ToList();
                    switch (kind)
                    {
                        case 0 when keys.Count > 0:
                            target.Remove(keys[pick % keys.Count]);
                            break;
                        case 1 when keys.Count > 0:
                            target[keys[pick % keys.Count]] = value?.DeepClone();
                            break;
                        default:
                            target[name] = value?.DeepClone();
                            break;
                    }
                }
                var text = body.ToJsonString();
                // One body in ten is also broken as text: cut short, or a byte replaced.
                return corrupt switch
                {
                    0 => text[..(at % text.Length)],
                    1 => text.Remove(at % text.Length, 1).Insert(at % text.Length, "\""),
                    _ => text,
                };
            });

    [Fact]
    public async Task MutatedRequests_NeverA500_RefusalsAreProblemsAndWriteAndSendNothing()
    {
        await new JobBlobs(storage.ConnectionString).UploadAsync("inputs", "fuzz/data.txt", Encoding.UTF8.GetBytes("one line\ntwo lines\n"));
        using var app = CheckedEndpoint.Start(storage);
        var statuses = new Dictionary<int, int>();

        Mutated.Sample(body =>
        {
            var reply = app.PostAndCheckAsync(Encoding.UTF8.GetBytes(body), signature: null, r => $"{body} -> {r.StatusCode}").GetAwaiter().GetResult();
            statuses[reply.StatusCode] = statuses.GetValueOrDefault(reply.StatusCode) + 1;
        }, iter: 3000, threads: 1);

        output.WriteLine("answers by status: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        // No field of any request took a call anywhere but the configured self URL and storage account.
        Assert.Equal(["http://127.0.0.1:9/api/batch"], app.Called.Keys);
        Assert.Equal([$"127.0.0.1:{new Uri(storage.ConnectionString.Split(';').Single(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..]).Port}"],
            app.Writes.Authorities.Keys);
        // The mutations reach past validation too, or the test would only show that everything is refused.
        Assert.True(statuses.Keys.Count(s => s < 400) >= 1, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) >= 100, string.Join(", ", statuses));
    }

    [Fact]
    public async Task MutatedRequestsThroughLocalHost_NeverA500_RefusalsWriteAndSendNothing()
    {
        await new JobBlobs(storage.ConnectionString).UploadAsync("inputs", "fuzz/data.txt", Encoding.UTF8.GetBytes("one line\ntwo lines\n"));
        // The real worker, in a process of its own: what it writes is seen from outside, in a job container of
        // this test's own (so no other test's blobs come and go in it) and in the input container.
        var jobs = $"fuzz-{Guid.NewGuid():N}";
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:Storage:InputContainers"] = "inputs",
            ["FanOut:Storage:Container"] = jobs,
        }));
        var account = new BlobServiceClient(storage.ConnectionString);
        var statuses = new Dictionary<int, int>();
        try
        {
            await Mutated.SampleAsync(async body =>
            {
                await server.QuietAsync();   // what an earlier accepted job set going has ended
                var (blobsBefore, requestsBefore) = (await SnapshotAsync(account, jobs, "inputs"), server.Requests);
                using var response = await server.PostInternalAsync(body, signature: null);
                var text = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;

                Assert.NotEqual(500, status);
                if (status >= 400)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    Assert.Equal(status, JsonDocument.Parse(text).RootElement.GetProperty("status").GetInt32());
                }
                if (status is >= 400 and < 500)
                {
                    Assert.Equal(blobsBefore, await SnapshotAsync(account, jobs, "inputs"));   // no blob written, replaced or deleted
                    Assert.Equal(requestsBefore + 1, server.Requests);   // this request only: nothing sent on
                }
            }, iter: 300, threads: 1);
        }
        finally
        {
            await server.QuietAsync();
            await account.GetBlobContainerClient(jobs).DeleteIfExistsAsync();
        }

        output.WriteLine("answers by status: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(statuses.Keys.Count(s => s < 400) >= 1, string.Join(", ", statuses));
    }

    // Every blob of the containers, committed or not, by container and name, with its ETag: any write changes it.
    private static async Task<List<string>> SnapshotAsync(BlobServiceClient account, params string[] containers)
    {
        var blobs = new List<string>();
        foreach (var name in containers)
        {
            var container = account.GetBlobContainerClient(name);
            if (!await container.ExistsAsync())
            {
                continue;
            }
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, prefix: null, default))
            {
                blobs.Add($"{name}/{blob.Name} {blob.Properties.ETag}");
            }
        }
        return blobs;
    }
}
