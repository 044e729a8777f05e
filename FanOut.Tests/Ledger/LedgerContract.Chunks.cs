using System.Text;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Tests.Ledger;

/// <summary>The chunk store's cases of the contract.</summary>
public abstract partial class LedgerContract
{
    [Fact]
    public async Task CommitChunk_SecondCommit_GetsTheFirstBackAsADuplicate()
    {
        Assert.Null(await Stores.Chunks.ReadChunkAsync(_jobId, 3));

        var first = await Stores.Chunks.CommitChunkAsync(Chunk(_jobId, 3, items: 5, total: 10));
        var second = await Stores.Chunks.CommitChunkAsync(Chunk(_jobId, 3, items: 6, total: 99));

        Assert.False(first.IsDuplicate);
        Assert.True(second.IsDuplicate);
        Assert.Equal((5, 10), (second.Result.Items, second.Result.Result.GetProperty("total").GetInt32()));
        var stored = (await Stores.Chunks.ReadChunkAsync(_jobId, 3))!;
        Assert.Equal((5, 10), (stored.Items, stored.Result.GetProperty("total").GetInt32()));
    }

    [Fact]
    public async Task CommitChunk_ConcurrentCommitsOfOneChunk_ExactlyOneWinsAndAllSeeIt()
    {
        const int writers = 8;

        var commits = await Task.WhenAll(Enumerable.Range(1, writers).Select(i => Task.Run(() => Stores.Chunks.CommitChunkAsync(Chunk(_jobId, 0, items: i, total: i)))));

        var winner = Assert.Single(commits, c => !c.IsDuplicate).Result.Items;
        Assert.All(commits, c => Assert.Equal((winner, (int)winner), (c.Result.Items, c.Result.Result.GetProperty("total").GetInt32())));
        Assert.Equal(winner, (await Stores.Chunks.ReadChunkAsync(_jobId, 0))!.Items);
        Assert.Equal(winner, Assert.Single((await Stores.Chunks.ReadSnapshotAsync(_jobId)).Committed).Value);
    }

    [Fact]
    public async Task WriteOutput_Twice_AnswersTheSamePartName()
    {
        var records = Encoding.UTF8.GetBytes("{\"a\":1}\n");

        var first = await Stores.Chunks.WriteOutputAsync(_jobId, 4, "ndjson", records);
        var again = await Stores.Chunks.WriteOutputAsync(_jobId, 4, "ndjson", records);

        Assert.Equal(LedgerPaths.Output(_jobId, 4, "ndjson"), first);
        Assert.Equal(first, again);
        Assert.Equal(1, await Stores.Jobs.PurgeAsync(_jobId)); // one part, not two
    }

    [Fact]
    public async Task Failures_RecordedReplacedAndDeleted_AreListedAscending()
    {
        foreach (var chunk in new[] { 10, 2, 1 })
        {
            await Stores.Chunks.RecordFailureAsync(_jobId, new ChunkFailure(chunk, "boom", 1));
        }
        await Stores.Chunks.RecordFailureAsync(_jobId, new ChunkFailure(2, "again", 2));

        Assert.Equal([1, 2, 10], await Stores.Chunks.ReadFailedAsync(_jobId));
        Assert.Equal([new ChunkFailure(1, "boom", 1), new ChunkFailure(2, "again", 2)], await Stores.Chunks.ReadFailuresAsync(_jobId, 2));
        await Stores.Chunks.DeleteFailuresAsync(_jobId, [1, 10, 7]);
        Assert.Equal([2], await Stores.Chunks.ReadFailedAsync(_jobId));
        Assert.Equal([new ChunkFailure(2, "again", 2)], await Stores.Chunks.ReadFailuresAsync(_jobId, 10));
    }

    [Fact]
    public async Task Snapshot_HasTheCommittedWithTheirItems_AndTheFailedNotCommittedSince()
    {
        await Stores.Chunks.CommitChunkAsync(Chunk(_jobId, 0, items: 5));
        await Stores.Chunks.CommitChunkAsync(Chunk(_jobId, 1, items: 7));
        await Stores.Chunks.RecordFailureAsync(_jobId, new ChunkFailure(1, "once", 1));
        await Stores.Chunks.RecordFailureAsync(_jobId, new ChunkFailure(2, "boom", 3));

        var snapshot = await Stores.Chunks.ReadSnapshotAsync(_jobId);

        Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 7 }, snapshot.Committed);
        Assert.Equal([2], snapshot.Failed);
        Assert.Equal([new ChunkFailure(2, "boom", 3)], snapshot.Failures);
        Assert.Equal([1, 2], await Stores.Chunks.ReadFailedAsync(_jobId)); // the failure listing alone keeps chunk 1
    }

    [Fact]
    public async Task RangeTally_ReadBeforeWritten_IsNull_ThenReadsBackWhatWasWritten()
    {
        var typeInfo = LedgerJsonContext.Default.ProgressLine;
        Assert.Null(await Stores.Chunks.ReadRangeTallyAsync(_jobId, 0, 16, typeInfo));

        await Stores.Chunks.WriteRangeTallyAsync(_jobId, 0, 16, new ProgressLine { First = 0, Count = 16, Succeeded = 16, Items = 40 }, typeInfo);

        Assert.Equal(new ProgressLine { First = 0, Count = 16, Succeeded = 16, Items = 40 }, await Stores.Chunks.ReadRangeTallyAsync(_jobId, 0, 16, typeInfo));
        Assert.Null(await Stores.Chunks.ReadRangeTallyAsync(_jobId, 16, 16, typeInfo));
    }
}
