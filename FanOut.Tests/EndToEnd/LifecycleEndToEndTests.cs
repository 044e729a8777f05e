using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>A job's life after it starts, through LocalHost, the real worker and Azurite: cancel, list, purge and the
/// completion notice.</summary>
[Collection(StorageCollection.Name)]
public sealed class LifecycleEndToEndTests(AzuriteFixture storage)
{
    private const int Chunks = 60;

    // Every dispatcher reads a job's cancel at most a second after it was written; a chunk in flight then takes 0.1 s.
    private static readonly TimeSpan StopsWithin = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task CancelMidJob_NoChunkArrivesAfterABoundedTime_StatusCancelledWithExactCounts_ResumeFinishesIt()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), chunkDelay: TimeSpan.FromMilliseconds(100));
        var arrivals = new ConcurrentQueue<DateTimeOffset>();
        server.OnChunk = _ => arrivals.Enqueue(DateTimeOffset.UtcNow);
        var blobs = new JobBlobs(storage.ConnectionString);
        var jobId = NewJobId();
        var items = Words(Chunks);

        var started = await PostAsync(server, StartBody(jobId, items.DeepClone().AsArray(), chunkSize: 1, waitSeconds: 0, maxConcurrency: 2));
        for (var poll = 0; poll < 200 && await blobs.CommittedChunksAsync(jobId) < 10; poll++)
        {
            await Task.Delay(50);
        }
        var cancelAt = DateTimeOffset.UtcNow;
        var cancelled = await PostAsync(server, new JsonObject { ["action"] = "cancel", ["jobId"] = jobId, ["waitSeconds"] = 30 });
        await Task.Delay(StopsWithin); // any chunk still to arrive would have arrived by now
        var status = JsonDocument.Parse(await server.Client.GetStringAsync($"api/batch/{jobId}")).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        Assert.Equal(HttpStatusCode.OK, cancelled.Status);
        Assert.Equal("Cancelled", cancelled.Body.GetProperty("status").GetString());
        Assert.DoesNotContain(arrivals, at => at > cancelAt + StopsWithin);
        Assert.Equal("Cancelled", status.GetProperty("status").GetString());
        var chunks = status.GetProperty("chunks");
        var committed = await blobs.CommittedChunksAsync(jobId);
        Assert.Equal(committed, chunks.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, chunks.GetProperty("failed").GetInt32());
        Assert.Equal(Chunks, chunks.GetProperty("succeeded").GetInt32() + chunks.GetProperty("pending").GetInt32());
        Assert.InRange(committed, 10, Chunks - 1);

        using var resumed = await server.Client.PostAsJsonAsync("api/batch", new JsonObject { ["action"] = "resume", ["jobId"] = jobId, ["waitSeconds"] = 120 });
        var job = JsonDocument.Parse(await resumed.Content.ReadAsStringAsync()).RootElement;
        var reference = await PostAsync(server, StartBody(NewJobId(), items.DeepClone().AsArray(), chunkSize: 1, waitSeconds: 120));

        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(reference.Body.GetProperty("result").ToString(), job.GetProperty("result").ToString());
        var all = await blobs.ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(Chunks, all.Count);
        Assert.All(all, c => Assert.Equal(c.Properties.CreatedOn, c.Properties.LastModified)); // each committed once
    }

    [Fact]
    public async Task DeleteOfAFinishedJob_LeavesNoBlobUnderItsPrefix_ThenGetIs404_AndItsIdStartsANewJob()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var blobs = new JobBlobs(storage.ConnectionString);
        var jobId = NewJobId();
        var first = await PostAsync(server, StartBody(jobId, Words(30), chunkSize: 5));
        var stored = (await blobs.ListAsync($"jobs/{jobId}/")).Count;

        using var deleted = await server.Client.DeleteAsync($"api/batch/{jobId}");
        var answer = JsonDocument.Parse(await deleted.Content.ReadAsStringAsync()).RootElement;
        using var status = await server.Client.GetAsync($"api/batch/{jobId}");
        var again = await PostAsync(server, StartBody(jobId, Words(7), chunkSize: 1));

        Assert.Equal("Succeeded", first.Body.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(stored, answer.GetProperty("purgedBlobs").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("Succeeded", again.Body.GetProperty("status").GetString());
        Assert.Equal(7, again.Body.GetProperty("items").GetProperty("processed").GetInt64());
        Assert.Equal(7, (await blobs.ListAsync($"jobs/{jobId}/chunks/")).Count); // the new job's 7 chunks, none of the first job's 6
    }

    [Fact]
    public async Task ListOfTwelveJobs_PagedByFive_GivesEveryJobOnceNewestFirst_ThroughTheStoragesContinuationTokens()
    {
        // A container of its own: the shared Azurite holds the other tests' jobs.
        var container = $"list{Guid.NewGuid():N}"[..20];
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Storage:Container"] = container }));
        var started = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var jobId = $"list-{i:D2}-{Guid.NewGuid():N}"[..20];
            Assert.Equal("Succeeded", (await PostAsync(server, StartBody(jobId, Words(3), chunkSize: 1))).Body.GetProperty("status").GetString());
            started.Add(jobId);
            await Task.Delay(20); // distinct creation times
        }

        var listed = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var query = token is null ? "api/batch?top=5" : $"api/batch?top=5&continuationToken={Uri.EscapeDataString(token)}";
            var page = JsonDocument.Parse(await server.Client.GetStringAsync(query)).RootElement;
            listed.AddRange(page.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()!));
            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null && pages < 10);
        var succeeded = JsonDocument.Parse(await server.Client.GetStringAsync("api/batch?status=Succeeded&top=100")).RootElement;

        Assert.Equal(Enumerable.Reverse(started), listed);
        Assert.Equal(3, pages);
        Assert.Equal(12, succeeded.GetProperty("jobs").GetArrayLength());
    }

    private const string NoticeKey = "notice-key-for-the-tests-0123456789abcdef";

    [Fact]
    public async Task Notice_AfterTheReceiverFailedTwice_ArrivesOnceSigned_AndOnceOnly()
    {
        await using var receiver = await NoticeReceiver.StartAsync(failFirst: 2);
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:Notify:SigningKey"] = NoticeKey, ["FanOut:Notify:AllowedHosts"] = receiver.AllowEntry,
        }));
        var jobId = NewJobId();
        var body = StartBody(jobId, Words(12), chunkSize: 3);
        body["notify"] = new JsonObject { ["url"] = receiver.Url.AbsoluteUri };

        var job = await PostAsync(server, body);
        // The notice goes out from an invocation of its own: the answer does not wait for it.
        Assert.True(await receiver.WaitUntilAsync(r => r.Posts.Count == 3, TimeSpan.FromSeconds(60)), $"{receiver.Posts.Count} notices");
        var again = await PostAsync(server, new JsonObject { ["action"] = "resume", ["jobId"] = jobId }); // ended the same: no second notice
        var status = JsonDocument.Parse(await server.Client.GetStringAsync($"api/batch/{jobId}")).RootElement; // nor from a status read

        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.Equal("Succeeded", again.Body.GetProperty("status").GetString());
        Assert.Equal("Succeeded", status.GetProperty("status").GetString());
        Assert.Equal([503, 503, 200], receiver.Posts.Select(p => p.Answer));
        // Each attempt signs with its own time (the retries wait 0.5 and 1 s: the first and last are at least a second apart).
        var stamps = receiver.Posts.Select(p => p.Signature!.Split(',')[0]).ToList();
        Assert.NotEqual(stamps[0], stamps[^1]);
        var (signature, notice, _) = receiver.Posts.Last();
        Assert.Equal(job.Body.GetProperty("result").ToString(), JsonDocument.Parse(notice).RootElement.GetProperty("result").ToString());
        Assert.Equal("Succeeded", JsonDocument.Parse(notice).RootElement.GetProperty("status").GetString());
        Assert.True(Verify(signature!, notice, NoticeKey), $"signature {signature} does not verify");
        Assert.False(Verify(signature!, notice + " ", NoticeKey));
    }

    [Fact]
    public async Task Notice_ToAHostOffTheAllowList_Is400NamingTheField_AndStoresNothing()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:Notify:SigningKey"] = NoticeKey, ["FanOut:Notify:AllowedHosts"] = "hooks.example.com",
        }));
        var blobs = new JobBlobs(storage.ConnectionString);
        var jobId = NewJobId();
        var body = StartBody(jobId, Words(4), chunkSize: 2);
        body["notify"] = new JsonObject { ["url"] = "http://127.0.0.1:9/elsewhere" };

        var refused = await PostAsync(server, body);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.True(refused.Body.GetProperty("errors").TryGetProperty("notify.url", out _), refused.Body.ToString());
        Assert.Empty(await blobs.ListAsync($"jobs/{jobId}/"));
        Assert.Equal(0, server.ProcessChunkRequests);
    }

    // What a receiver does (the README shows it): recompute HMAC-SHA256 over "{t}.{body}" and compare in constant time.
    private static bool Verify(string header, string body, string key)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes($"{parts["t"]}.{body}"));
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(parts["sha256"]));
    }
}
