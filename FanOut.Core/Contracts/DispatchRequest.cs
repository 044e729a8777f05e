namespace FanOut.Core.Contracts;

/// <summary>The body of <c>dispatch</c> (internal). Without a range it runs a stored job: the top of its
/// dispatch tree. With one (<see cref="First"/>, <see cref="Count"/>) it is a node of that tree: it
/// dispatches the range's pending chunks, directly or through sub-ranges, and answers the range's
/// merged tally.</summary>
/// <remarks>Settable properties: read once per tree node, through System.Text.Json's fast path.</remarks>
internal sealed record DispatchRequest
{
    /// <summary>Always <c>dispatch</c>.</summary>
    public string? Action { get; set; }

    /// <summary>The job to run.</summary>
    public string? JobId { get; set; }

    /// <summary>Identifies the run in the ledger's dispatch marker.</summary>
    public string? RunId { get; set; }

    /// <summary>Hops of internal calls that led here: 1 at the top of the tree.</summary>
    public int Depth { get; set; }

    /// <summary>At the top: the run's place in the job's chain of hops (absent: 1, a run a client started).</summary>
    public int? Hop { get; set; }

    /// <summary>At the top of a later hop: the run that handed the job over, whose lease this run may take.</summary>
    public string? Predecessor { get; set; }

    /// <summary>First chunk of the node's range; absent at the top.</summary>
    public int? First { get; set; }

    /// <summary>Chunks in the node's range; absent at the top.</summary>
    public int? Count { get; set; }

    /// <summary>The chunks of the range that have no committed result, as <c>[first, count]</c> runs;
    /// every other chunk of the range is read from the ledger and merged.</summary>
    public int[][]? Pending { get; set; }

    /// <summary>What the pass needs to know of each chunk of the range, one character per chunk (the chunk
    /// pass of a CSV job cut by bytes: whether the chunk starts inside a quoted field).</summary>
    public string? Marks { get; set; }

    /// <summary>The pass the node runs: <c>chunks</c> (the default) processes the range's chunks; <c>quotes</c>,
    /// the first pass of a CSV job cut by bytes, counts their quotes.</summary>
    public string? Pass { get; set; }

    /// <summary>The node's share of the job's maxConcurrency (absent: all of it).</summary>
    public int? Slots { get; set; }

    /// <summary>Milliseconds the node may take before it answers; the caller stops waiting after them.</summary>
    public int? BudgetMs { get; set; }

    /// <summary>When the caller stops waiting, on the caller's clock: a node that reads its call late (queued before the
    /// worker, or a retried attempt) has only what is left until then, not its whole budget again.</summary>
    public DateTimeOffset? Deadline { get; set; }
}
