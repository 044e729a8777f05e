namespace FanOut.Core.Contracts;

/// <summary>The body of <c>resume</c> (finish a stored job, re-dispatching only chunks with no committed result) and of
/// <c>cancel</c> (stop it; waitSeconds: how long to wait for it to end Cancelled).</summary>
internal sealed record ResumeRequest
{
    /// <summary><c>resume</c> or <c>cancel</c>.</summary>
    public string? Action { get; set; }

    /// <summary>The job to finish.</summary>
    public string? JobId { get; set; }

    /// <summary>How long to wait for the job before answering 202.</summary>
    public int? WaitSeconds { get; set; }
}
