namespace FanOut.Core.Contracts;

/// <summary>The body of <c>update</c>: change a job's concurrency level while it runs (or before a resume runs it).</summary>
internal sealed record UpdateRequest
{
    /// <summary><c>update</c>.</summary>
    public string? Action { get; set; }

    /// <summary>The job to change.</summary>
    public string? JobId { get; set; }

    /// <summary>The job's new concurrency level: 1 to FanOut__Dispatch__MaxConcurrency.</summary>
    public int? MaxConcurrency { get; set; }
}
