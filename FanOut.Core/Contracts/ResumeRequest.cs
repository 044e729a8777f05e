namespace FanOut.Core.Contracts;

/// <summary>The body of <c>resume</c>: finish a stored job, re-dispatching only chunks with no committed result.</summary>
internal sealed record ResumeRequest
{
    /// <summary>Always <c>resume</c>.</summary>
    public string? Action { get; set; }

    /// <summary>The job to finish.</summary>
    public string? JobId { get; set; }

    /// <summary>How long to wait for the job before answering 202.</summary>
    public int? WaitSeconds { get; set; }
}
