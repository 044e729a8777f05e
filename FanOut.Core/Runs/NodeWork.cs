using FanOut.Core.Configuration;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;

namespace FanOut.Core.Runs;

/// <summary>What one node of a job's dispatch tree is asked to do.</summary>
/// <param name="RunId">The run it belongs to.</param>
/// <param name="Span">Its range of chunks.</param>
/// <param name="Pending">The runs of the range its pass is to send, ascending.</param>
/// <param name="Depth">Its depth: 1 at the top; what it sends goes one deeper.</param>
/// <param name="Slots">Its share of the job's slots: the calls it may have in flight, its children's included. The root
/// has all of them (<see cref="Root"/>: the job's <c>maxConcurrency</c> within the app's invocation budget); shares of
/// nodes running at once never add up to more.</param>
/// <param name="Marks">What the pass needs to know of each chunk of the range, one character per chunk; the
/// walker hands each child its slice and never reads them.</param>
internal sealed record NodeWork(string RunId, ChunkSpan Span, IReadOnlyList<ChunkSpan> Pending, int Depth, int Slots, string? Marks = null)
{
    /// <summary>The root of a run's tree over all of <paramref name="manifest"/>'s chunks: its slots are the job's
    /// <c>maxConcurrency</c>, narrowed so that the tree's open invocations fit the platform's budget
    /// (<see cref="DispatchTree.RootSlots"/>).</summary>
    public static NodeWork Root(string runId, JobManifest manifest, IReadOnlyList<ChunkSpan> pending, FanOutOptions options, string? marks = null) =>
        new(runId, new ChunkSpan(0, manifest.ChunkCount), pending, 1,
            DispatchTree.RootSlots(manifest.MaxConcurrency, manifest.ChunkCount, options.Dispatch.FanoutWidth, options.Platform.InvocationBudget), marks);

    /// <summary>The work of a sub-range, one level down, with <paramref name="slots"/> of this node's share.</summary>
    public NodeWork Child(ChunkSpan span, int slots) =>
        new(RunId, span, Slice(Pending, span), Depth + 1, slots, Marks?.Substring(span.First - Span.First, span.Count));

    /// <summary>How a node with <paramref name="slots"/> runs <paramref name="children"/> children that have
    /// <paramref name="pending"/> chunks to send between them: in lanes, each running its children one after another with
    /// its share of the slots. The shares add up to <paramref name="slots"/> exactly, and no lane gets less than one. The
    /// lanes are few and their shares wide: a share of about half a child's chunks (so a child sends in two rounds or more),
    /// and at least two lanes where there are slots for them (so one child's last round overlaps the next child's first).
    /// Every lane holds one dispatcher open while its child runs, so narrow shares would hold a chain of dispatchers open per
    /// chunk in flight: 17 slots over children of 10,000 chunks held 35 dispatchers open for 17 chunks, more than 4 Flex
    /// instances' dispatcher places (their 503s paused the job); wide shares hold 7.</summary>
    public static int[] Lanes(int slots, int children, long pending)
    {
        var perChild = Math.Max(1, pending / Math.Max(1, children));
        var share = (perChild + 1) / 2;
        var wanted = Math.Max(2, (slots + share - 1) / share);
        var lanes = (int)Math.Max(1, Math.Min(Math.Min(slots, children), wanted));
        return [.. Enumerable.Range(0, lanes).Select(lane => slots / lanes + (lane < slots % lanes ? 1 : 0))];
    }

    /// <summary>The pending chunks, one by one, ascending.</summary>
    public IEnumerable<int> PendingChunks() => Pending.SelectMany(run => Enumerable.Range(run.First, run.Count));

    /// <summary>The runs of <paramref name="pending"/> that lie in <paramref name="span"/>, clipped to it.</summary>
    public static List<ChunkSpan> Slice(IReadOnlyList<ChunkSpan> pending, ChunkSpan span)
    {
        var slice = new List<ChunkSpan>();
        foreach (var run in pending)
        {
            var first = Math.Max(run.First, span.First);
            var end = Math.Min(run.End, span.End);
            if (first < end)
            {
                slice.Add(new ChunkSpan(first, end - first));
            }
        }
        return slice;
    }

    /// <summary>Ascending chunk indices as runs of consecutive ones.</summary>
    public static List<ChunkSpan> Runs(IEnumerable<int> chunks)
    {
        var runs = new List<ChunkSpan>();
        foreach (var chunk in chunks)
        {
            if (runs.Count > 0 && runs[^1].End == chunk)
            {
                runs[^1] = runs[^1] with { Count = runs[^1].Count + 1 };
            }
            else
            {
                runs.Add(new ChunkSpan(chunk, 1));
            }
        }
        return runs;
    }
}
