using FanOut.Core.Configuration;
using FanOut.Core.Planning;

namespace FanOut.Tests.Planning;

/// <summary>One rule of depth for every call and for a job's plan: nothing arrives deeper than MaxDepth, and a job is
/// admitted exactly when its chunks would not.</summary>
public sealed class DispatchDepthTests
{
    private static readonly DispatchOptions Dispatch = new() { MaxDepth = 4, FanoutWidth = 3 };

    [Theory]
    // A chunk (nothing below it): from a user at depth 0, from the tree at 1 to MaxDepth.
    [InlineData(0, 0, 0, null)]
    [InlineData(4, 0, 0, null)]
    [InlineData(5, 0, 0, 5)]
    [InlineData(-1, 0, 0, 0)]
    // A count of quotes (sent by the tree only): 1 to MaxDepth.
    [InlineData(0, 0, 1, 0)]
    [InlineData(1, 0, 1, null)]
    // A node: refused when its range's deepest call would arrive beyond MaxDepth, answering that depth.
    [InlineData(3, 1, 1, null)]
    [InlineData(4, 1, 1, 5)]
    [InlineData(2, 2, 1, null)]
    [InlineData(3, 2, 1, 5)]
    [InlineData(0, 1, 1, 1)]
    [InlineData(-7, 1, 1, 1)]
    public void Beyond_AnswersTheDepthACallWouldReach_OnlyWhenItBreaksTheRule(int depth, int levelsBelow, int lowest, int? beyond) =>
        Assert.Equal(beyond, DispatchDepth.Beyond(depth, levelsBelow, Dispatch, lowest));

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    [InlineData(16, 3)]
    [InlineData(16, 6)]
    public void AJobIsAdmitted_ExactlyUpToTheChunksItsTreeReaches(int width, int maxDepth)
    {
        var dispatch = new DispatchOptions { FanoutWidth = width, MaxDepth = maxDepth };
        var max = (int)DispatchDepth.MaxChunks(dispatch);

        Assert.Null(DispatchDepth.BeyondForJob(1, dispatch));
        Assert.Null(DispatchDepth.BeyondForJob(max, dispatch));
        Assert.Equal(maxDepth + 1, DispatchDepth.BeyondForJob(max + 1, dispatch));
    }
}
