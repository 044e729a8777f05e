using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Completion notices against hostile receivers, through LocalHost, the real worker and Azurite: a redirect is not
/// followed, a silent receiver holds up no answer (start_fanout, DELETE, cancel), a huge answer is not read. Each notice goes out
/// from a <c>notify</c> invocation of its own, after the job's lease is let go.</summary>
[Collection(StorageCollection.Name)]
public sealed class NoticeEndToEndTests(AzuriteFixture storage)
{
    private const string NoticeKey = "notice-key-for-the-tests-0123456789abcdef";
    private const long OneGiB = 1L << 30;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Notice_AnsweredWithARedirect_IsNotFollowed_TheHostItPointsToGetsNothing()
    {
        await using var elsewhere = await NoticeReceiver.StartAsync(failFirst: 0);
        await using var receiver = await NoticeReceiver.StartAsync((context, _) =>
        {
            context.Response.Headers.Location = elsewhere.Url.AbsoluteUri;
            return Task.FromResult(307);
        });
        await using var server = await LocalHostServer.StartAsync(storage.Settings(Notices(receiver)));
        var jobId = NewJobId();

        var job = await PostAsync(server, WithNotify(StartBody(jobId, Words(4), chunkSize: 2), receiver));
        var notice = await NoticeAsync(jobId, n => n.Error is not null);

        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.Equal([307], receiver.Posts.Select(p => p.Answer));
        Assert.Empty(elsewhere.Posts);
        Assert.Contains("307", notice!.Error);
        Assert.Null(notice.NotifiedAt);
    }

    [Fact]
    public async Task Notice_ToASilentReceiver_HoldsUpNeitherTheStartNorTheDelete()
    {
        NoticeReceiver? self = null;
        await using var receiver = self = await NoticeReceiver.StartAsync((context, _) => Silent(self!, context));
        await using var server = await LocalHostServer.StartAsync(storage.Settings(Notices(receiver)));
        var jobId = NewJobId();

        var job = await PostAsync(server, WithNotify(StartBody(jobId, Words(4), chunkSize: 2), receiver));
        var attemptsEndedByTheAnswer = receiver.Aborted;
        Assert.True(await receiver.WaitUntilAsync(r => r.Open == 1, Patience), "the notice never reached the receiver");
        using var deleted = await server.Client.DeleteAsync($"api/batch/{jobId}");
        var attemptsEndedByTheDelete = receiver.Aborted;

        // Both answers came while the first attempt was still waiting on the receiver (it would end at the attempt's 10 s).
        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.Equal(0, attemptsEndedByTheAnswer);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(0, attemptsEndedByTheDelete);
        Assert.Empty(await new JobBlobs(storage.ConnectionString).ListAsync($"jobs/{jobId}/manifest"));
        receiver.Release();
    }

    [Fact]
    public async Task Cancel_OfAnIncompleteJob_WithASilentReceiver_AnswersCancelledAtOnce()
    {
        NoticeReceiver? self = null;
        await using var receiver = self = await NoticeReceiver.StartAsync((context, _) => Silent(self!, context));
        // One hop of 4 s for a job of 40 chunks of 0.5 s, one at a time: the run ends it Incomplete (the knobs are the point).
        var settings = Notices(receiver);
        settings["FanOut:Dispatch:MaxHops"] = "1";
        settings["FanOut:Dispatch:HopDeadlineSeconds"] = "4";
        settings["FanOut:Dispatch:AttemptTimeoutSeconds"] = "3";
        await using var server = await LocalHostServer.StartAsync(storage.Settings(settings), chunkDelay: TimeSpan.FromMilliseconds(500));
        var jobId = NewJobId();

        await PostAsync(server, WithNotify(StartBody(jobId, Words(40), chunkSize: 1, waitSeconds: 0, maxConcurrency: 1), receiver));
        var incomplete = await StatusUntilAsync(server, jobId, "Incomplete");
        var cancelled = await PostAsync(server, new JsonObject { ["action"] = "cancel", ["jobId"] = jobId });
        var attemptsEndedByTheCancel = receiver.Aborted;

        Assert.Equal("Incomplete", incomplete);
        Assert.Equal(HttpStatusCode.OK, cancelled.Status);
        Assert.Equal("Cancelled", cancelled.Body.GetProperty("status").GetString());
        Assert.Equal(0, attemptsEndedByTheCancel);
        // The Cancelled notice is on its way to the receiver beside the Incomplete one.
        Assert.True(await receiver.WaitUntilAsync(r => r.Open == 2, Patience), $"open notices: {receiver.Open}");
        receiver.Release();
    }

    [Fact]
    public async Task Notice_AnsweredWithAGibibyteBody_IsDeliveredWithoutReadingIt()
    {
        long written = 0;
        await using var receiver = await NoticeReceiver.StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentLength = OneGiB;
            var block = new byte[64 * 1024];
            try
            {
                // Counted only while the connection takes them: once the sender closed it, Kestrel's output pipe says so
                // (IsCompleted) and its writes no longer wait for the socket, so a loop counting them would count memory copies.
                while (Interlocked.Read(ref written) < OneGiB)
                {
                    var flushed = await context.Response.BodyWriter.WriteAsync(block, context.RequestAborted);
                    if (flushed.IsCompleted || flushed.IsCanceled)
                    {
                        break;
                    }
                    Interlocked.Add(ref written, block.Length);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
            {
                // The notice's sender closed the connection: what it did not read is never sent.
            }
            return 200;
        });
        await using var server = await LocalHostServer.StartAsync(storage.Settings(Notices(receiver)));
        var peakBefore = PeakMiB(server.WorkerProcessId);
        var jobId = NewJobId();

        var job = await PostAsync(server, WithNotify(StartBody(jobId, Words(4), chunkSize: 2), receiver));
        var notice = await NoticeAsync(jobId, n => n.NotifiedAt is not null || n.Error is not null);
        Assert.True(await receiver.WaitUntilAsync(r => r.Open == 0, Patience), "the receiver is still writing");
        var growth = PeakMiB(server.WorkerProcessId) - peakBefore;

        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.NotNull(notice!.NotifiedAt);
        Assert.True(Interlocked.Read(ref written) < OneGiB / 4, $"the receiver wrote {Interlocked.Read(ref written):N0} bytes");
        Assert.True(growth < 128, $"the worker's peak grew {growth:F0} MiB");
    }

    // Says nothing until the sender gives up on the attempt, or the test releases it (its end: the app then stops at once).
    private static async Task<int> Silent(NoticeReceiver receiver, Microsoft.AspNetCore.Http.HttpContext context)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, receiver.Released);
        await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        return 200;
    }

    private static Dictionary<string, string?> Notices(NoticeReceiver receiver) => new()
    {
        ["FanOut:Notify:SigningKey"] = NoticeKey, ["FanOut:Notify:AllowedHosts"] = receiver.AllowEntry,
    };

    private static JsonObject WithNotify(JsonObject body, NoticeReceiver receiver)
    {
        body["notify"] = new JsonObject { ["url"] = receiver.Url.AbsoluteUri };
        return body;
    }

    // The job's notice record once it satisfies the condition (polled, within the patience), or the last one read.
    private async Task<JobNotice?> NoticeAsync(string jobId, Func<JobNotice, bool> condition)
    {
        var blobs = new JobBlobs(storage.ConnectionString);
        for (var until = DateTime.UtcNow + Patience; ; await Task.Delay(100))
        {
            var notice = (await blobs.ListAsync(LedgerPaths.Notice(jobId))).Count == 1
                ? JsonSerializer.Deserialize(await blobs.ReadAsync(LedgerPaths.Notice(jobId)), LedgerJsonContext.Default.JobNotice)
                : null;
            if (notice is not null && condition(notice) || DateTime.UtcNow >= until)
            {
                return notice;
            }
        }
    }

    private static async Task<string?> StatusUntilAsync(LocalHostServer server, string jobId, string wanted)
    {
        string? status = null;
        for (var until = DateTime.UtcNow + Patience; status != wanted && DateTime.UtcNow < until; await Task.Delay(200))
        {
            status = JsonDocument.Parse(await server.Client.GetStringAsync($"api/batch/{jobId}")).RootElement.GetProperty("status").GetString();
        }
        return status;
    }

    private static double PeakMiB(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024).Single();
}
