using System.Text;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using FanOut.Core.Runs;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>A dispatch node's budget runs on its caller's clock: a node that reads its call late (queued on its way
/// in, or a retried attempt) has only what is left until its caller stops waiting, so it cannot go on sending
/// chunks after its run has been given up and the next hop has started.</summary>
[Trait("Tier", "Orchestration")]
public sealed class LateNodeTests
{
    private const int Chunks = 20;

    [Fact]
    public async Task ANodeReadAfterItsCallersDeadline_SendsNothing()
    {
        await using var host = await StoredJobAsync("late");

        var answer = await host.Caller.PostBatchAsync(Subtree("late", TimeSpan.FromSeconds(5), host.Clock.GetUtcNow() - TimeSpan.FromSeconds(1)), "late/dispatch/0");

        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));
    }

    [Fact]
    public async Task ANodeReadInTime_SendsItsChunks()
    {
        await using var host = await StoredJobAsync("in-time");

        var answer = await host.Caller.PostBatchAsync(Subtree("in-time", TimeSpan.FromSeconds(5), host.Clock.GetUtcNow() + TimeSpan.FromSeconds(5)), "in-time/dispatch/0");

        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(Chunks, host.Caller.Calls(BatchActions.ProcessChunk));
    }

    // A finished job, its calls forgotten: a node sent again over its chunks finds them stored (and committed).
    private static async Task<OrchestrationHost> StoredJobAsync(string jobId)
    {
        var host = OrchestrationHost.Start();
        var reply = await host.PostAsync(InlineJobs.Start(jobId, "count", InlineJobs.Words(Chunks, seed: 20), chunkSize: 1));
        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        host.Caller.ResetCounts();
        return host;
    }

    private static byte[] Subtree(string jobId, TimeSpan budget, DateTimeOffset deadline) =>
        JsonSerializer.SerializeToUtf8Bytes(
            TreeNodeRequest.For(jobId, new NodeWork("run-late", new ChunkSpan(0, Chunks), NodeWork.Runs(Enumerable.Range(0, Chunks)), 1, 4), "chunks", budget, deadline),
            RunsJsonContext.Default.TreeNodeRequest);
}
