using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;

namespace FanOut.Tests.EndToEnd;

/// <summary>Jobs kept in Blob Storage (a real Azurite), through LocalHost over real sockets.</summary>
[Collection(StorageCollection.Name)]
public sealed class JobLedgerEndToEndTests(AzuriteFixture storage)
{
    private readonly JobBlobs _blobs = new(storage.ConnectionString);

    [Fact]
    public async Task StartFanout_FinishedJob_LeavesManifestChunksAndResultUnderItsFolderOnly()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();
        var before = (await _blobs.ListAsync()).Select(b => b.Name).ToHashSet();

        var job = await PostAsync(server, StartBody(jobId, Words(25), chunkSize: 10));

        Assert.Equal(HttpStatusCode.OK, job.Status);
        var all = (await _blobs.ListAsync()).Select(b => b.Name).Where(n => !before.Contains(n)).Order().ToList();
        // The one name outside the job's folder: its entry in the index of jobs (GET /api/batch).
        Assert.Matches($"^index/\\d{{19}}-{jobId}$", Assert.Single(all, n => n.StartsWith("index/", StringComparison.Ordinal)));
        var written = all.Where(n => !n.StartsWith("index/", StringComparison.Ordinal)).ToList();
        Assert.All(written, name => Assert.StartsWith($"jobs/{jobId}/", name));
        Assert.Equal(
            ["chunks/000000.json", "chunks/000001.json", "chunks/000002.json", "dispatch.json", "input/", "manifest.json", "progress/", "result.json"],
            written.Select(n => n[$"jobs/{jobId}/".Length..]).Select(n => n[..(n.IndexOf('/', StringComparison.Ordinal) + 1)] is "input/" or "progress/" ? n[..(n.IndexOf('/') + 1)] : n));

        using var manifest = JsonDocument.Parse(await _blobs.ReadAsync($"jobs/{jobId}/manifest.json"));
        Assert.Equal(25, manifest.RootElement.GetProperty("itemCount").GetInt32());
        Assert.Equal(3, manifest.RootElement.GetProperty("chunkCount").GetInt32());
        Assert.Equal("wordcount", manifest.RootElement.GetProperty("processor").GetString());
        using var lastChunk = JsonDocument.Parse(await _blobs.ReadAsync($"jobs/{jobId}/chunks/000002.json"));
        Assert.Equal(5, lastChunk.RootElement.GetProperty("items").GetInt64());
        Assert.Equal(10, lastChunk.RootElement.GetProperty("result").GetProperty("total").GetInt64());
        using var result = JsonDocument.Parse(await _blobs.ReadAsync($"jobs/{jobId}/result.json"));
        Assert.Equal(job.Body.GetProperty("result").ToString(), result.RootElement.GetProperty("result").ToString());
        Assert.Equal(50, result.RootElement.GetProperty("result").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task StatusUrl_DuringASlowJob_ShowsRunningWithGrowingProgressThenSucceeded()
    {
        // 40 chunks of 150 ms, two at a time: 3 s, long enough for the leaf to write its progress line a few times.
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), chunkDelay: TimeSpan.FromMilliseconds(150));
        var jobId = NewJobId();

        var started = await PostAsync(server, StartBody(jobId, Words(40), chunkSize: 1, waitSeconds: 0, maxConcurrency: 2));

        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        Assert.Equal($"/api/batch/{jobId}", started.Location);
        Assert.True(started.RetryAfter > 0);
        Assert.EndsWith($"/api/batch/{jobId}", started.Body.GetProperty("statusUrl").GetString());
        var seen = new List<(string Status, int Succeeded)>();
        for (var poll = 0; poll < 600; poll++)
        {
            using var response = await server.Client.GetAsync(started.Location);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            seen.Add((body.GetProperty("status").GetString()!, body.GetProperty("chunks").GetProperty("succeeded").GetInt32()));
            if (seen[^1].Status == "Succeeded")
            {
                Assert.Equal(80, body.GetProperty("result").GetProperty("total").GetInt64());
                Assert.Equal(40, body.GetProperty("items").GetProperty("processed").GetInt64());
                break;
            }
            await Task.Delay(50);
        }

        Assert.Equal("Succeeded", seen[^1].Status);
        var running = seen.Where(s => s.Status == "Running").Select(s => s.Succeeded).ToList();
        Assert.True(running.Distinct().Count() >= 2, $"progress seen: {string.Join(", ", seen)}");
        Assert.Equal(running.Order(), running);                  // progress never goes back
        Assert.All(seen.TakeWhile(s => s.Status != "Succeeded"), s => Assert.Contains(s.Status, new[] { "Pending", "Running" }));
    }

    [Fact]
    public async Task StartFanout_TenDifferentRequestsForOneJobIdAtOnce_OneIsTheJob_TheOthers409_AndLeaveNoInputBehind()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PostAsync(server, StartBody(jobId, Words(20 + i), chunkSize: 5, waitSeconds: 30))));

        var accepted = Assert.Single(answers, a => a.Status is HttpStatusCode.OK or HttpStatusCode.Accepted);
        // The others: 409, or 503 instance-busy (more starts at once than an instance lets wait for their runs: refused
        // before anything was read or stored).
        Assert.All(answers.Where(a => a != accepted), a => Assert.True(a.Status == HttpStatusCode.Conflict
            || (a.Status == HttpStatusCode.ServiceUnavailable && a.Body.GetProperty("type").GetString() == "urn:fanout:problem:instance-busy"), $"{a.Status}: {a.Body}"));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.Conflict);
        var inputs = await _blobs.ListAsync($"jobs/{jobId}/input/");
        var manifest = JsonDocument.Parse(await _blobs.ReadAsync($"jobs/{jobId}/manifest.json")).RootElement;
        Assert.Equal(manifest.GetProperty("inputBlob").GetString(), Assert.Single(inputs).Name);
    }

    [Fact]
    public async Task StartFanout_SameJobIdSameRequest_IsOneJob_DifferentRequest_Is409()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();
        var first = await PostAsync(server, StartBody(jobId, Words(30), chunkSize: 10));
        var requestsAfterFirst = server.ProcessChunkRequests;
        var manifest = await _blobs.ReadAsync($"jobs/{jobId}/manifest.json");

        var again = await PostAsync(server, StartBody(jobId, Words(30), chunkSize: 10, waitSeconds: 30));
        var different = await PostAsync(server, StartBody(jobId, Words(31), chunkSize: 10));

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Body.ToString(), again.Body.ToString());
        Assert.Equal(requestsAfterFirst, server.ProcessChunkRequests);        // nothing re-dispatched
        Assert.Equal(HttpStatusCode.Conflict, different.Status);
        Assert.Equal("urn:fanout:problem:job-id-reused", different.Body.GetProperty("type").GetString());
        Assert.Equal(manifest, await _blobs.ReadAsync($"jobs/{jobId}/manifest.json")); // nothing replaced
        Assert.Equal(3, await _blobs.CommittedChunksAsync(jobId));
    }

    [Fact]
    public async Task StartFanout_SameRequestWithKeysInAnotherOrder_IsTheSameJob_AnotherMeaningIs409()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();
        var first = await PostTextAsync(server,
            $$"""{"action":"start_fanout","jobId":"{{jobId}}","processor":"wordcount","chunkSize":2,"options":{"top":3,"lowercase":true},"items":["To be, or not to be","that is the question","a b","c"]}""");
        var requestsAfterFirst = server.ProcessChunkRequests;
        var manifest = await _blobs.ReadAsync($"jobs/{jobId}/manifest.json");

        // The issue's request: the options' keys in another order; and the fields, an escape and the spaces too.
        var reordered = await PostTextAsync(server,
            $$"""{ "items": ["To be, or not to be", "that is the question", "a b", "c"], "options": { "lowercase": true, "top": 3 }, "chunkSize": 2, "processor": "wordcount", "jobId": "{{jobId}}", "action": "start_fanout" }""");
        var different = await PostTextAsync(server,
            $$"""{"action":"start_fanout","jobId":"{{jobId}}","processor":"wordcount","chunkSize":2,"options":{"lowercase":true,"top":4},"items":["To be, or not to be","that is the question","a b","c"]}""");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, reordered.Status);
        Assert.Equal(first.Body.ToString(), reordered.Body.ToString());
        Assert.Equal(requestsAfterFirst, server.ProcessChunkRequests);        // nothing re-dispatched
        Assert.Equal(HttpStatusCode.Conflict, different.Status);
        Assert.Equal("urn:fanout:problem:job-id-reused", different.Body.GetProperty("type").GetString());
        Assert.Equal(manifest, await _blobs.ReadAsync($"jobs/{jobId}/manifest.json")); // one job, stored once
        Assert.Single(await _blobs.ListAsync($"jobs/{jobId}/input/"));
        Assert.Equal(1, JsonDocument.Parse(manifest).RootElement.GetProperty("fingerprintVersion").GetInt32());
    }

    [Fact]
    public async Task StartFanout_OfAJobStoredWithTheLegacyFingerprint_MatchesTheRequestAsItWasWritten()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();
        var request = $$"""{"action":"start_fanout","jobId":"{{jobId}}","processor":"count","chunkSize":2,"items":[{"b":1,"a":1.0},"x",[1e2]]}""";
        var first = await PostTextAsync(server, request);
        // The manifest as the app wrote it before fingerprints had a rule: no fingerprintVersion, and the hash of the
        // request's fields as they were written (minified).
        var manifest = JsonNode.Parse(await _blobs.ReadAsync($"jobs/{jobId}/manifest.json"))!.AsObject();
        manifest.Remove("fingerprintVersion");
        manifest["fingerprint"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            """{"processor":"count","chunkSize":2,"toleratedFailurePercent":0,"chunkBytes":0,"options":null,"items":[{"b":1,"a":1.0},"x",[1e2]]}""")));
        await _blobs.UploadAsync("fanout", $"jobs/{jobId}/manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        var requestsAfterFirst = server.ProcessChunkRequests;

        var again = await PostTextAsync(server, request);
        var different = await PostTextAsync(server, request.Replace("\"x\"", "\"y\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Body.ToString(), again.Body.ToString());
        Assert.Equal(requestsAfterFirst, server.ProcessChunkRequests);
        Assert.Equal(HttpStatusCode.Conflict, different.Status);
    }

    [Fact]
    public async Task ProcessChunk_DeliveredTwiceConcurrently_CommitsOnceAndTheSecondAnswersTheCommittedResult()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();
        var body = $$"""{ "action": "process_chunk", "jobId": "{{jobId}}", "chunk": 7, "processor": "wordcount", "depth": 1, "items": ["a b a", "c"] }""";

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var response = await server.PostInternalAsync(body);
            return (Status: response.StatusCode, Commit: response.Headers.GetValues("X-FanOut-Commit").Single(), Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(["created", "duplicate"], answers.Select(a => a.Commit).Order());
        Assert.Equal(answers[0].Body, answers[1].Body);
        var chunks = await _blobs.ListAsync($"jobs/{jobId}/chunks/");
        var chunk = Assert.Single(chunks);
        Assert.Equal($"jobs/{jobId}/chunks/000007.json", chunk.Name);
        Assert.Equal(chunk.Properties.CreatedOn, chunk.Properties.LastModified); // written once, never replaced
    }

    [Fact]
    public async Task ToleratedFailurePercent_FailedChunksWithinItSucceed_BeyondItFail_AndResumeFinishesThem()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        server.RejectChunk = chunk => chunk == 3;
        var tolerant = NewJobId();
        var strict = NewJobId();

        var within = await PostAsync(server, StartBody(tolerant, Words(100), chunkSize: 10, toleratedFailurePercent: 10));
        var beyond = await PostAsync(server, StartBody(strict, Words(100), chunkSize: 10, toleratedFailurePercent: 5));

        Assert.Equal("Succeeded", within.Body.GetProperty("status").GetString());
        Assert.Equal("Failed", beyond.Body.GetProperty("status").GetString());
        foreach (var job in new[] { within, beyond })
        {
            Assert.Equal(1, job.Body.GetProperty("chunks").GetProperty("failed").GetInt32());
            Assert.Equal(10, job.Body.GetProperty("items").GetProperty("failed").GetInt64());
            var failure = Assert.Single(job.Body.GetProperty("failures").EnumerateArray());
            Assert.Equal(3, failure.GetProperty("chunk").GetInt32());
            Assert.Equal(1, failure.GetProperty("attempts").GetInt32());      // a 400 is not retried
            Assert.Contains("rejected by the test", failure.GetProperty("error").GetString());
        }

        server.RejectChunk = null;
        var requestsBefore = server.ProcessChunkRequests;
        var resumed = await PostAsync(server, new JsonObject { ["action"] = "resume", ["jobId"] = strict });

        Assert.Equal("Succeeded", resumed.Body.GetProperty("status").GetString());
        Assert.Equal(1, server.ProcessChunkRequests - requestsBefore);        // only the chunk without a result
        Assert.Equal(200, resumed.Body.GetProperty("result").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task UnknownJob_StatusAndResume_Are404Problems()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());

        using var status = await server.Client.GetAsync($"api/batch/{NewJobId()}");
        var resume = await PostAsync(server, new JsonObject { ["action"] = "resume", ["jobId"] = NewJobId() });

        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("application/problem+json", status.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, resume.Status);
        Assert.Equal("urn:fanout:problem:unknown-job", resume.Body.GetProperty("type").GetString());
    }

    internal static string NewJobId() => $"t-{Guid.NewGuid():N}";

    internal static JsonArray Words(int count) => new([.. Enumerable.Range(0, count).Select(i => JsonValue.Create($"word{i % 7} common"))]);

    internal static JsonObject StartBody(string jobId, JsonArray items, int chunkSize, int? waitSeconds = null,
        int? maxConcurrency = null, double? toleratedFailurePercent = null)
    {
        var body = new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "wordcount", ["chunkSize"] = chunkSize, ["items"] = items,
        };
        if (waitSeconds is not null) body["waitSeconds"] = waitSeconds;
        if (maxConcurrency is not null) body["maxConcurrency"] = maxConcurrency;
        if (toleratedFailurePercent is not null) body["toleratedFailurePercent"] = toleratedFailurePercent;
        return body;
    }

    internal static async Task<Answer> PostAsync(LocalHostServer server, JsonObject body)
    {
        using var response = await server.Client.PostAsJsonAsync("api/batch", body);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(),
            response.Headers.Location?.OriginalString, (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0);
    }

    private static async Task<Answer> PostTextAsync(LocalHostServer server, string body)
    {
        using var response = await server.Client.PostAsync("api/batch", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(),
            response.Headers.Location?.OriginalString, (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0);
    }

    internal sealed record Answer(HttpStatusCode Status, JsonElement Body, string? Location, int RetryAfter);
}
