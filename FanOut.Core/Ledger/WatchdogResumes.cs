namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/watchdog.json</c>: how many times the watchdog resumed the job, and from which dead run it did
/// last. A watchdog counts a resume with a conditional write of this record before it starts the run, so that two
/// watchdogs that find the same dead run count (and start) it once, and a job is resumed at most MaxResumes times.</summary>
internal sealed record WatchdogResumes
{
    /// <summary>The resumes counted so far.</summary>
    public int Count { get; set; }

    /// <summary>The run whose lease had lapsed when the job was last resumed (<see cref="NoRun"/>: the job had no run).</summary>
    public required string FromRunId { get; set; }

    /// <summary>When the last resume was counted.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>What <see cref="FromRunId"/> says for a job that no run ever took (its first dispatch never arrived).</summary>
    public const string NoRun = "-";
}
