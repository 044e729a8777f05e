using System.Net;
using System.Text.Json;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Internal calls through LocalHost: only the app's own signatures get in, and a refused call
/// changes nothing.</summary>
[Collection(StorageCollection.Name)]
public sealed class SignedCallsEndToEndTests(AzuriteFixture storage)
{
    private const string WrongKey = "not-the-apps-signing-key-0123456789abcdef";

    public enum Forgery { Unsigned, WrongKey, Tampered, Stale, Replayed, Garbage }

    [Theory]
    [InlineData("process_chunk", Forgery.Unsigned, 401)]
    [InlineData("dispatch", Forgery.Unsigned, 401)]
    [InlineData("count_quotes", Forgery.Unsigned, 401)]
    [InlineData("process_chunk", Forgery.WrongKey, 403)]
    [InlineData("dispatch", Forgery.WrongKey, 403)]
    [InlineData("process_chunk", Forgery.Tampered, 403)]
    [InlineData("dispatch", Forgery.Tampered, 403)]
    [InlineData("dispatch", Forgery.Stale, 403)]
    [InlineData("process_chunk", Forgery.Replayed, 403)]
    [InlineData("dispatch", Forgery.Garbage, 403)]
    public async Task InternalCall_NotSignedByTheApp_IsRefusedAndWritesAndSendsNothing(string action, Forgery forgery, int status)
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var blobs = new JobBlobs(storage.ConnectionString);
        var jobId = NewJobId();
        // A stored job whose chunks all failed: a dispatch that got in would send them again.
        server.RejectChunk = _ => true;
        await PostAsync(server, StartBody(jobId, Words(20), chunkSize: 5));
        server.RejectChunk = null;
        var body = action switch
        {
            "dispatch" => $$"""{"action":"dispatch","jobId":"{{jobId}}","runId":"forged","depth":1}""",
            "count_quotes" => $$$"""{"action":"count_quotes","jobId":"{{{jobId}}}","chunk":0,"depth":2,"source":{"container":"inputs","blob":"x.csv","format":"csv"}}""",
            _ => $$"""{"action":"process_chunk","jobId":"{{jobId}}","chunk":9,"processor":"count","depth":2,"items":["forged"]}""",
        };
        string? genuine = null;
        if (forgery == Forgery.Replayed)
        {
            genuine = TestKeys.Sign(body);
            using var first = await server.PostInternalAsync(body, genuine);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);            // the genuine call, once
        }
        var before = (await blobs.ListAsync($"jobs/{jobId}/")).Select(b => (b.Name, b.Properties.ETag)).ToList();
        var (chunks, dispatches) = (server.ProcessChunkRequests, server.DispatchRequests);

        using var response = forgery switch
        {
            Forgery.Unsigned => await server.PostInternalAsync(body, signature: null),
            Forgery.WrongKey => await server.PostInternalAsync(body, TestKeys.Sign(body, WrongKey)),
            Forgery.Tampered => await server.PostInternalAsync(body.Replace("\"depth\":", "\"depth\":1"), TestKeys.Sign(body)), // depth 11 or 12
            Forgery.Stale => await server.PostInternalAsync(body, TestKeys.Sign(body, at: DateTimeOffset.UtcNow.AddMinutes(-10))),
            Forgery.Replayed => await server.PostInternalAsync(body, genuine),
            _ => await server.PostInternalAsync(body, "v1;t=0;n=x;s=forged"),
        };
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status == 401 ? "urn:fanout:problem:unsigned" : "urn:fanout:problem:bad-signature", problem.GetProperty("type").GetString());
        Assert.Equal(before, (await blobs.ListAsync($"jobs/{jobId}/")).Select(b => (b.Name, b.Properties.ETag)).ToList());
        Assert.Equal(chunks + (action == "process_chunk" ? 1 : 0), server.ProcessChunkRequests); // the refused call only
        Assert.Equal(dispatches + (action == "dispatch" ? 1 : 0), server.DispatchRequests);
    }

    [Fact]
    public async Task StandaloneChunkOfInlineItems_NeedsNoSignature_AsTheSeedAllowed()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());

        using var response = await server.PostInternalAsync("""{"chunk":0,"processor":"count","items":["a","bc"]}""", signature: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
