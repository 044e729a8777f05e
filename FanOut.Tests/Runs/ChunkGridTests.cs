using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Runs;

namespace FanOut.Tests.Runs;

/// <summary>The status page's grid: exact counts per cell, listed failures where they are, ranges no leaf reported yet apart.</summary>
public sealed class ChunkGridTests
{
    [Fact]
    public void RunningJob_ARangeReportedAndOneNot_CountsEachStateOnce_TheListedFailureInItsPlace()
    {
        var job = Job(JobStatus.Running, total: 10, succeeded: 4, failed: 1, failures: [new ChunkFailure(2, "boom", 5)]);
        // Range 0-4: one chunk committed before the run, four sent: 3 succeeded, 1 failed (chunk 2), 0 pending.
        ProgressLine[] lines = [new() { First = 0, Count = 5, Sent = 4, Succeeded = 3, Failed = 1 }];

        var grid = ChunkGrid.Of(job, lines);

        Assert.Equal(10, grid.Count);
        Assert.Equal([1, 1, 0, 1, 1, 0, 0, 0, 0, 0], grid.Select(c => c.Succeeded));
        Assert.Equal([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], grid.Select(c => c.Failed));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], grid.Select(c => c.Unreported));
        Assert.Equal(0, grid.Sum(c => c.Pending));
    }

    [Fact]
    public void LargeJob_IsGroupedIntoAtMostMaxCells_AndASucceededJobIsAllGreen()
    {
        var grid = ChunkGrid.Of(Job(JobStatus.Succeeded, total: 100_001, succeeded: 100_001, failed: 0, failures: []), []);

        Assert.InRange(grid.Count, 1, ChunkGrid.MaxCells);
        Assert.Equal(100_001, grid.Sum(c => c.Count));
        Assert.Equal(100_001, grid.Sum(c => c.Succeeded));
    }

    private static JobResult Job(JobStatus status, int total, int succeeded, int failed, IReadOnlyList<ChunkFailure> failures) => new()
    {
        JobId = "grid", Status = status, Processor = "count", CreatedAt = DateTimeOffset.UnixEpoch,
        Chunks = new ChunkCounts(total, succeeded, failed, total - succeeded - failed), Items = new ItemCounts(succeeded, failed), Failures = failures,
    };
}
