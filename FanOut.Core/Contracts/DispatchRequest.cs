namespace FanOut.Core.Contracts;

/// <summary>The body of <c>dispatch</c> (internal): run a stored job's chunks that have no committed result.</summary>
public sealed record DispatchRequest
{
    /// <summary>Always <c>dispatch</c>.</summary>
    public string? Action { get; set; }

    /// <summary>The job to run.</summary>
    public string? JobId { get; set; }

    /// <summary>Identifies this run in the ledger's dispatch marker.</summary>
    public string? RunId { get; set; }

    /// <summary>Hops of internal calls that led here.</summary>
    public int Depth { get; set; }
}
