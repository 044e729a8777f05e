using FanOut.Core.Configuration;

namespace FanOut.Core.Planning;

/// <summary>The one rule of depth, for every call of a job and for its plan: a call arrives one level deeper than its
/// sender (the top dispatcher at depth 1; a chunk a user sends, at 0), and no call arrives deeper than MaxDepth. A node is
/// refused as soon as the deepest call its range needs would be, before it reads or sends anything; a job, when its chunks
/// would be, before it is stored.</summary>
internal static class DispatchDepth
{
    /// <summary>The depth beyond MaxDepth (or below <paramref name="lowest"/>) that a call at <paramref name="depth"/> would
    /// reach with <paramref name="levelsBelow"/> levels of calls under it (0 for a chunk; <see cref="DispatchTree.Levels"/>
    /// for a node of a range), or null when it stays within them.</summary>
    public static int? Beyond(int depth, int levelsBelow, DispatchOptions dispatch, int lowest = 1)
    {
        var deepest = Math.Max(depth, lowest - 1) + levelsBelow;
        return depth < lowest || deepest > dispatch.MaxDepth ? Math.Max(deepest, 0) : null;
    }

    /// <summary>The depth beyond MaxDepth that a job of <paramref name="chunks"/> chunks would reach, or null.</summary>
    public static int? BeyondForJob(int chunks, DispatchOptions dispatch) =>
        Beyond(1, DispatchTree.Levels(chunks, dispatch.FanoutWidth), dispatch);

    /// <summary>Most chunks a job may have within MaxDepth (what <see cref="BeyondForJob"/> allows).</summary>
    public static long MaxChunks(DispatchOptions dispatch) => DispatchTree.MaxChunks(dispatch.FanoutWidth, dispatch.MaxDepth);
}
