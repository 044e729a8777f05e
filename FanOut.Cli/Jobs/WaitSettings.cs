namespace FanOut.Cli.Jobs;

/// <summary>How <c>fanout run</c> waits for a job.</summary>
/// <param name="Timeout">When to give up waiting (the job goes on).</param>
/// <param name="PollInterval">Time between two status reads.</param>
/// <param name="Resumes">Most resumes of a job found Incomplete (nothing runs it any more).</param>
/// <param name="CallWaitSeconds">The waitSeconds of the CLI's start and resume calls, unless a request file says.</param>
internal sealed record WaitSettings(TimeSpan Timeout, TimeSpan PollInterval, int Resumes = 3, int CallWaitSeconds = 5);
