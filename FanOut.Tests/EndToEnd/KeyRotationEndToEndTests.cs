using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Rotating the signing key does not break a job in flight: two LocalHosts (each with the real worker) on one
/// Azurite stand for the app during a rotation. X is an instance still on the old settings (it signs with key A); Y is one
/// restarted with the rotated settings (it signs with B and accepts A as <c>FanOut__PreviousSigningKey</c>). X's self URL
/// is Y's, so the job X starts runs on Y, its first call signed with the old key.</summary>
[Collection(StorageCollection.Name)]
public sealed class KeyRotationEndToEndTests(AzuriteFixture storage)
{
    private const string KeyA = "rotation-key-A-0123456789abcdef0123456789abcdef";
    private const string KeyB = "rotation-key-B-fedcba9876543210fedcba9876543210";

    [Fact]
    public async Task JobStartedWithTheOldKey_RunsOnAnInstanceWithTheNewKey_AndFinishesSucceeded_WhileTheOldKeyIsThePreviousOne()
    {
        var container = $"rotation-{Guid.NewGuid():N}";
        await using var rotated = await LocalHostServer.StartAsync(Settings(container, signing: KeyB, previous: KeyA));
        await using var old = await LocalHostServer.StartAsync(Settings(container, signing: KeyA, selfUrl: rotated.BaseUrl));
        var jobId = NewJobId();

        using var answer = await old.Client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(40), chunkSize: 2, waitSeconds: 120));

        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode} {body}");
        using var job = JsonDocument.Parse(body);
        Assert.Equal("Succeeded", job.RootElement.GetProperty("status").GetString());
        Assert.Equal(20, job.RootElement.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Equal(40, job.RootElement.GetProperty("items").GetProperty("processed").GetInt64());
        // Words(40): "word{i % 7} common": 80 words, "common" 40 times, word0 to word4 6 times (i % 7 = 0..4), word5 and word6 5 times.
        var result = job.RootElement.GetProperty("result");
        Assert.Equal(80, result.GetProperty("total").GetInt64());
        var counted = result.GetProperty("top").EnumerateArray().ToDictionary(w => w.GetProperty("word").GetString()!, w => w.GetProperty("count").GetInt64());
        var expected = new Dictionary<string, long> { ["common"] = 40, ["word0"] = 6, ["word1"] = 6, ["word2"] = 6, ["word3"] = 6, ["word4"] = 6, ["word5"] = 5, ["word6"] = 5 };
        Assert.Equal(expected.OrderBy(w => w.Key), counted.OrderBy(w => w.Key));
        Assert.Equal(20, (await new JobBlobs(storage.ConnectionString, container).ListAsync($"jobs/{jobId}/chunks/")).Count);
        // The job ran on the rotated instance: its root run came from the old one, signed with A, and was taken; its
        // tree's calls were signed with B. Nothing of it ran on the old one.
        Assert.Contains(rotated.DispatchSpans, span => span.IsRoot && span.StatusCode == 200);
        Assert.DoesNotContain(rotated.DispatchSpans, span => span.StatusCode is 401 or 403);
        Assert.Equal(20, rotated.ChunkSpans.Where(span => span.StatusCode == 200).Select(span => span.Chunk).Distinct().Count());
        Assert.Equal((0, 0), (old.DispatchRequests, old.ProcessChunkRequests));
        // And a call signed with the old key, sent directly: its signature is taken (the job is unknown, so 404).
        var direct = DispatchBody(NewJobId());
        using var signedWithA = await rotated.PostInternalAsync(direct, TestKeys.Sign(direct, KeyA));
        Assert.Equal(HttpStatusCode.NotFound, signedWithA.StatusCode);
    }

    [Fact]
    public async Task Control_WithoutThePreviousKey_TheOldKeysCallsAreRefused_AndTheJobDoesNotSucceed()
    {
        var container = $"rotation-{Guid.NewGuid():N}";
        await using var rotated = await LocalHostServer.StartAsync(Settings(container, signing: KeyB, previous: null));
        await using var old = await LocalHostServer.StartAsync(Settings(container, signing: KeyA, selfUrl: rotated.BaseUrl));
        var jobId = NewJobId();

        using var answer = await old.Client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(40), chunkSize: 2, waitSeconds: 30));
        using var status = await old.Client.GetAsync($"api/batch/{jobId}");

        var body = await answer.Content.ReadAsStringAsync();
        var statusBody = await status.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"Succeeded\"", body);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.NotEqual("Succeeded", JsonDocument.Parse(statusBody).RootElement.GetProperty("status").GetString());
        Assert.Contains(rotated.DispatchSpans, span => span.IsRoot && span.StatusCode == 403);
        Assert.Equal(0, rotated.ProcessChunkRequests);
        Assert.Empty(await new JobBlobs(storage.ConnectionString, container).ListAsync($"jobs/{jobId}/chunks/"));
        var direct = DispatchBody(NewJobId());
        using var signedWithA = await rotated.PostInternalAsync(direct, TestKeys.Sign(direct, KeyA));
        Assert.Equal(HttpStatusCode.Forbidden, signedWithA.StatusCode);
        using var problem = JsonDocument.Parse(await signedWithA.Content.ReadAsStringAsync());
        Assert.Equal("urn:fanout:problem:bad-signature", problem.RootElement.GetProperty("type").GetString());
    }

    private Dictionary<string, string?> Settings(string container, string signing, string? previous = null, Uri? selfUrl = null)
    {
        var settings = storage.Settings(new()
        {
            ["FanOut:Storage:Container"] = container,
            ["FanOut:SigningKey"] = signing,
            ["FanOut:LocalDevelopment"] = "false",
            // A small tree: the rotated instance's root splits the job among dispatchers of its own, signed with B.
            ["FanOut:Dispatch:FanoutWidth"] = "4",
        });
        if (previous is not null)
        {
            settings["FanOut:PreviousSigningKey"] = previous;
        }
        if (selfUrl is not null)
        {
            settings["FanOut:SelfBaseUrl"] = selfUrl.AbsoluteUri.TrimEnd('/');
        }
        return settings;
    }

    private static string DispatchBody(string jobId) => $$"""{"action":"dispatch","jobId":"{{jobId}}","runId":"r-{{jobId}}","depth":1}""";
}
