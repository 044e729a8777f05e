using CsCheck;
using FanOut.Core.Planning;

namespace FanOut.Tests.Planning;

public sealed class ChunkPlannerTests
{
    [Fact]
    public void PlanInline_TenThousandItemsBy1000_IsTenFullChunks()
    {
        var chunks = ChunkPlanner.PlanInline(10_000, 1000);

        Assert.Equal(10, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(1000, c.Count));
        Assert.Equal(9000, chunks[^1].Start);
    }

    [Fact]
    public void PlanInline_NoItems_IsNoChunks() => Assert.Empty(ChunkPlanner.PlanInline(0, 1000));

    [Fact]
    public void PlanInline_AnyCountAndSize_EveryItemInExactlyOneChunkInOrderWithinBounds()
    {
        Gen.Select(Gen.Int[0, 250_000], Gen.Int[1, 100_000]).Sample((items, size) =>
        {
            var chunks = ChunkPlanner.PlanInline(items, size);

            var next = 0;
            for (var i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i];
                Assert.Equal(i, chunk.Index);
                Assert.Equal(next, chunk.Start);                  // contiguous and ordered: no gap, no overlap
                Assert.InRange(chunk.Count, 1, size);             // never empty, never over the size
                if (i < chunks.Count - 1)
                {
                    Assert.Equal(size, chunk.Count);              // only the last may be short
                }
                next += chunk.Count;
            }
            Assert.Equal(items, next);                            // every item covered
            Assert.Equal((items + size - 1) / size, chunks.Count);
        }, iter: 2000);
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(10, 0)]
    public void PlanInline_InvalidArguments_Throw(int items, int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkPlanner.PlanInline(items, size));
}
