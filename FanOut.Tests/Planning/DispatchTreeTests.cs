using CsCheck;
using FanOut.Core.Planning;

namespace FanOut.Tests.Planning;

public sealed class DispatchTreeTests
{
    [Theory]
    [InlineData(0, 100, new[] { 1, 0 })]
    [InlineData(100, 100, new[] { 1, 100 })]
    [InlineData(101, 100, new[] { 1, 2, 101 })]
    [InlineData(100_000, 100, new[] { 1, 10, 1000, 100_000 })]
    [InlineData(1_000_000, 100, new[] { 1, 100, 10_000, 1_000_000 })]
    [InlineData(50, 3, new[] { 1, 2, 6, 17, 50 })]
    public void Shape_CountsTheDispatchersOfEachLevelThenTheChunks(int chunks, int width, int[] shape) =>
        Assert.Equal(shape, DispatchTree.Shape(chunks, width));

    [Theory]
    [InlineData(100, 4, 1_000_000)]
    [InlineData(100, 2, 100)]
    [InlineData(250, 4, 15_625_000)]
    [InlineData(1000, 16, int.MaxValue)]
    public void MaxChunks_IsWidthToThePowerOfTheLevelsBelowTheTop(int width, int maxDepth, long max) =>
        Assert.Equal(max, DispatchTree.MaxChunks(width, maxDepth));

    [Fact]
    public void Split_CoversTheRangeExactlyWithAtMostWidthAlignedParts_AndTheTreeHasLevelsLevels()
    {
        Gen.Select(Gen.Int[0, 200_000], Gen.Int[2, 300]).Sample((chunks, width) =>
        {
            var levels = 0;
            List<ChunkSpan> level = [new(0, chunks)];
            while (level.Count > 0)
            {
                levels++;
                var next = new List<ChunkSpan>();
                foreach (var span in level)
                {
                    var parts = DispatchTree.Split(span, width).ToList();
                    if (parts.Count == 0)
                    {
                        Assert.True(span.Count <= width);
                        continue;
                    }
                    Assert.InRange(parts.Count, 2, width);
                    Assert.Equal(span.First, parts[0].First);
                    Assert.Equal(span.End, parts[^1].End);
                    Assert.All(parts.Zip(parts.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.First));
                    Assert.All(parts, part => Assert.Equal(0, part.First % parts[0].Count)); // aligned to the part size
                    next.AddRange(parts);
                }
                level = next;
            }
            Assert.Equal(DispatchTree.Levels(chunks, width), levels);
            Assert.Equal(levels + 1, DispatchTree.Shape(chunks, width).Length);
        }, iter: 2000);
    }

    [Theory]
    [InlineData(32, 5_000, 100, 4, 1)]        // one instance of 4 slots: B = 4, L = 2
    [InlineData(32, 5_000, 100, 13, 6)]       // one instance of Flex's 16 slots, 3 waiting callers: B = 13
    [InlineData(32, 5_000, 100, 1_300, 32)]   // the defaults: maxConcurrency binds
    [InlineData(32, 60, 100, 13, 12)]         // L = 1: every slot but the root's
    [InlineData(32, 1_000_000, 100, 4, 1)]    // L = 3: 1 + 1·3 = B exactly
    [InlineData(5, 1_000_000, 100, 1_300, 5)]
    public void RootSlots_FitTheOpenInvocationsInTheBudget_AtLeastOne(int maxConcurrency, int chunks, int width, long budget, int slots)
    {
        var below = DispatchTree.Shape(chunks, width).Length - 1;

        Assert.Equal(slots, DispatchTree.RootSlots(maxConcurrency, chunks, width, budget));
        Assert.True(slots == 1 || 1 + (long)slots * below <= budget, $"1 + {slots}·{below} > {budget}");
    }
}
