using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Jobs;
using FanOut.Core.Planning;
using FanOut.Tests.Support;

namespace FanOut.Tests.Runs;

/// <summary>CSV jobs cut by bytes, read from in-memory blobs through the real SourceBlobs: the quote pass
/// (count_quotes down the tree) tells each chunk whether it starts inside a quoted field, so rows whose quoted
/// fields hold newlines across a cut are counted once; a failed count holds back the rest of its blob, not more.</summary>
[Trait("Tier", "Orchestration")]
public sealed class CsvParityTests
{
    private const long ChunkBytes = StartFanoutValidator.MinChunkBytes;

    [Fact]
    public async Task QuotedNewlinesAcrossByteCuts_EveryRowIsCountedOnce()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var csv = CsvSources.Generate(seed: 1, minBytes: 4 * ChunkBytes + 20_000);
        host.Blobs.Put("table.csv", csv.Bytes);
        Assert.True(csv.CutsInsideQuotedNewlines(ChunkBytes).Count >= 3, "the text must put cuts inside quoted fields with newlines");
        Assert.True(csv.Bytes.Count(b => b == '\n') > 2 * csv.Rows.Count, "most newlines must lie inside quoted fields");

        var reply = await host.PostAsync(CsvSources.Start("csv", ChunkBytes, blob: "table.csv"));

        Assert.Equal(200, reply.Status);
        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal([5, 5, 0, 0], new[] { "total", "succeeded", "failed", "pending" }.Select(n => reply.Number("chunks", n)));
        Assert.Equal(csv.Count, InlineJobs.Canonical(reply.At("result")));
        Assert.Equal(csv.Rows.Count - 1, reply.Number("items", "processed"));
        Assert.Equal(DispatchTree.Levels(5, 4), reply.Number("dispatchLevels"));
        Assert.Equal(5, host.Caller.Calls(BatchActions.CountQuotes));
        Assert.Equal(5, host.Caller.Calls(BatchActions.ProcessChunk));
        // The root, then each pass's nodes below it.
        Assert.Equal(1 + 2 * (DispatchTree.Shape(5, 4)[..^1].Sum() - 1), host.Caller.Calls(BatchActions.Dispatch));
        Assert.Equal(Enumerable.Range(0, 5), host.Ledger.CommittedChunks("csv"));
        Assert.Empty(host.Caller.ServerErrors);
    }

    [Fact]
    public async Task FailedQuoteCount_TheRestOfItsBlobIsNotSent_IsListedFailed_AndResumeFinishes()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 2);
        var csv = CsvSources.Generate(seed: 2, minBytes: 4 * ChunkBytes + 20_000);
        host.Blobs.Put("table.csv", csv.Bytes);
        host.Caller.Inject(CallFault.Status(BatchActions.CountQuotes, 500, [1]));

        var failed = await host.PostAsync(CsvSources.Start("held", ChunkBytes, blob: "table.csv"));

        Assert.Equal(JobStatus.Failed, failed.JobStatus);
        Assert.Equal([5, 2, 3, 0], new[] { "total", "succeeded", "failed", "pending" }.Select(n => failed.Number("chunks", n)));
        Assert.Equal([0, 1], host.Caller.ChunksCalled(BatchActions.ProcessChunk)); // chunk 1's own start state is known
        const string error = "The quote state at this chunk's start is unknown: counting the quotes of chunk 1 failed (HTTP 500: injected 500 for count_quotes).";
        Assert.Equal([(2, error, 0), (3, error, 0), (4, error, 0)], failed.Failures);
        Assert.Equal([2, 3, 4], host.Ledger.FailureRecords("held"));

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("held"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal(5, host.Caller.Calls(BatchActions.CountQuotes)); // counted again, every chunk
        Assert.Equal([2, 3, 4], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        Assert.Empty(resumed.Failures);
        Assert.Equal(csv.Count, InlineJobs.Canonical(resumed.At("result")));
    }

    [Fact]
    public async Task TwoBlobs_AFailedCountHoldsBackOnlyTheRestOfItsOwnBlob()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 1);
        var first = CsvSources.Generate(seed: 3, minBytes: 2 * ChunkBytes + 1000);  // chunks 0..2
        var second = CsvSources.Generate(seed: 4, minBytes: 2 * ChunkBytes + 1000); // chunks 3..5
        host.Blobs.Put("parts/a.csv", first.Bytes);
        host.Blobs.Put("parts/b.csv", second.Bytes);
        host.Caller.Inject(CallFault.Transport(BatchActions.CountQuotes, [0]));

        var failed = await host.PostAsync(CsvSources.Start("parts", ChunkBytes, prefix: "parts/"));

        Assert.Equal(JobStatus.Failed, failed.JobStatus);
        Assert.Equal(6, failed.Number("chunks", "total"));
        Assert.Equal([1, 2], failed.Failures.Select(f => f.Chunk));
        Assert.Equal([0, 3, 4, 5], host.Caller.ChunksCalled(BatchActions.ProcessChunk));

        host.Caller.ClearFaults();
        host.Caller.ResetCounts();
        var resumed = await host.PostAsync(InlineJobs.Resume("parts"));

        Assert.Equal(JobStatus.Succeeded, resumed.JobStatus);
        Assert.Equal([1, 2], host.Caller.ChunksCalled(BatchActions.ProcessChunk));
        var expected = JsonSerializer.SerializeToElement(new
        {
            records = (long)first.Rows.Count + second.Rows.Count - 2,
            bytes = JsonDocument.Parse(first.Count).RootElement.GetProperty("bytes").GetInt64() + JsonDocument.Parse(second.Count).RootElement.GetProperty("bytes").GetInt64(),
        });
        Assert.Equal(InlineJobs.Canonical(expected), InlineJobs.Canonical(resumed.At("result")));
    }

    [Fact]
    public async Task SourceReplacedAfterTheJobWasStored_ItsChunksFailAsChanged_NothingIsCounted()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, maxAttempts: 1);
        var csv = CsvSources.Generate(seed: 5, minBytes: ChunkBytes + 1000);
        host.Blobs.Put("moving.csv", csv.Bytes);
        host.Caller.Inject(CallFault.Status(BatchActions.Dispatch, 503)); // stored and pinned, but not run
        var stored = await host.PostAsync(CsvSources.Start("moving", ChunkBytes, blob: "moving.csv"));
        Assert.Equal(503, stored.Status);
        Assert.Equal("urn:fanout:problem:dispatch-failed", stored.At("type").GetString());
        host.Blobs.Put("moving.csv", csv.Bytes); // the same bytes as a new version: the pinned ETag no longer matches
        host.Caller.ClearFaults();

        var reply = await host.PostAsync(InlineJobs.Resume("moving"));

        Assert.Equal(JobStatus.Failed, reply.JobStatus);
        Assert.Equal([0, 1], reply.Failures.Select(f => f.Chunk));
        Assert.StartsWith("HTTP 412: ", reply.Failures[0].Error, StringComparison.Ordinal); // read If-Match the pinned version
        Assert.StartsWith("The quote state at this chunk's start is unknown: counting the quotes of chunk 0 failed (HTTP 412: ",
            reply.Failures[1].Error, StringComparison.Ordinal);
        Assert.Empty(host.Ledger.CommittedChunks("moving"));
        Assert.Equal(0, reply.Number("items", "processed"));
    }
}
