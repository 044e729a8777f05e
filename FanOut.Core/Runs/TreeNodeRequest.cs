using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using FanOut.Core.Requests;

namespace FanOut.Core.Runs;

/// <summary>The body of <c>dispatch_node</c> (internal): a node of a run's dispatch tree. It walks its pass over its range's
/// pending chunks, directly or through sub-ranges, and answers the range's merged tally. Written and read through the one
/// <see cref="RunsJsonContext.TreeNodeRequest"/>.</summary>
/// <remarks>Settable properties: read once per tree node, through System.Text.Json's fast path.</remarks>
internal sealed record TreeNodeRequest : IDispatchMessage
{
    /// <summary>Always <c>dispatch_node</c>.</summary>
    public string Action { get; set; } = BatchActions.DispatchNode;

    /// <summary>The job.</summary>
    public string? JobId { get; set; }

    /// <summary>The run whose tree this node is part of.</summary>
    public string? RunId { get; set; }

    /// <summary>Hops of internal calls that led here: 2 or more.</summary>
    public int Depth { get; set; }

    /// <summary>First chunk of the node's range.</summary>
    public int First { get; set; }

    /// <summary>Chunks in the node's range.</summary>
    public int Count { get; set; }

    /// <summary>The chunks of the range that have no committed result, as <c>[first, count]</c> runs;
    /// every other chunk of the range is read from the ledger and merged.</summary>
    public int[][]? Pending { get; set; }

    /// <summary>What the pass needs to know of each chunk of the range, one character per chunk (the chunk
    /// pass of a CSV job cut by bytes: whether the chunk starts inside a quoted field).</summary>
    public string? Marks { get; set; }

    /// <summary>The pass the node runs: <c>chunks</c> (the default) processes the range's chunks; <c>quotes</c>, the first
    /// pass of a CSV job cut by bytes, counts their quotes.</summary>
    public string Pass { get; set; } = ChunkPass.PassName;

    /// <summary>The node's share of the job's maxConcurrency (absent: all of it).</summary>
    public int? Slots { get; set; }

    /// <summary>Milliseconds the node may take before it answers; the caller stops waiting after them (absent: the hop deadline).</summary>
    public int? BudgetMs { get; set; }

    /// <summary>When the caller stops waiting, on the caller's clock: a node that reads its call late (queued before the
    /// worker, or a retried attempt) has only what is left until then, not its whole budget again.</summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>The node of <paramref name="work"/>, in the named pass, which must answer within <paramref name="budget"/> and
    /// by <paramref name="deadline"/>.</summary>
    public static TreeNodeRequest For(string jobId, NodeWork work, string pass, TimeSpan budget, DateTimeOffset deadline) => new()
    {
        JobId = jobId,
        RunId = work.RunId,
        Depth = work.Depth,
        First = work.Span.First,
        Count = work.Span.Count,
        Pending = [.. work.Pending.Select(run => new[] { run.First, run.Count })],
        Marks = work.Marks,
        Pass = pass,
        Slots = work.Slots,
        BudgetMs = Math.Max(1, (int)budget.TotalMilliseconds),
        Deadline = deadline,
    };

    /// <summary>The node's range.</summary>
    public ChunkSpan Span => new(First, Count);

    /// <summary>Adds what is wrong with this request, on its own, to <paramref name="errors"/>.</summary>
    public void Validate(FieldErrors errors, DispatchOptions dispatch)
    {
        MessageFields.Validate(JobId, RunId, BudgetMs, errors, dispatch);
        if (First < 0 || Count < 1)
        {
            errors.Add("count", "A range starts at 0 or later and holds at least one chunk.");
        }
        if (Pending is null || Pending.Any(run => run is not { Length: 2 } || run[1] < 1 || run[0] < First || (long)run[0] + run[1] > (long)First + Count))
        {
            errors.Add("pending", "Required: the range's pending runs, each [first, count] within the range.");
        }
        if (Pass is not (ChunkPass.PassName or QuotePass.PassName))
        {
            errors.Add("pass", $"\"{ChunkPass.PassName}\" or \"{QuotePass.PassName}\".");
        }
        if (Marks is { } marks && (marks.Length != Count || !QuoteStates.AreValid(marks)))
        {
            errors.Add("marks", "One of '0', '1' or '-' per chunk of the range.");
        }
        if (Slots < 1)
        {
            errors.Add("slots", "At least 1.");
        }
    }
}
