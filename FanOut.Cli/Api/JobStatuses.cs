using FanOut.Contracts;

namespace FanOut.Cli.Api;

/// <summary>What the CLI reads of a job's status (<see cref="JobResult"/>, the app's answer to start_fanout, resume,
/// cancel and GET /api/batch/{jobId}); the body itself is printed as the app wrote it.</summary>
internal static class JobStatuses
{
    /// <summary>True once the job reached a verdict that waiting longer would not change.</summary>
    public static bool IsFinal(this JobResult job) => job.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;
}
