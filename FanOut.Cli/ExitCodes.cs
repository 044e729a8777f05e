namespace FanOut.Cli;

/// <summary>What <c>fanout</c> exits with, so a pipeline step fails for the right reason.</summary>
internal static class ExitCodes
{
    /// <summary>The job succeeded (failures within its tolerance); or the command did what it was asked.</summary>
    public const int Succeeded = 0;

    /// <summary>The job ended Failed (failed chunks beyond its tolerance) or Cancelled.</summary>
    public const int Failed = 1;

    /// <summary>The request was refused: a 4xx problem from the app (an invalid request, an unknown job, a wrong key,
    /// a job id taken by another request), or a command line the CLI cannot make a request of.</summary>
    public const int Refused = 2;

    /// <summary>Gave up waiting: <c>--timeout</c> passed, or the job stayed Incomplete after every resume; the job is
    /// still there (<c>fanout status</c>).</summary>
    public const int GaveUp = 3;

    /// <summary>The app could not be reached, or kept failing (5xx) after every retry.</summary>
    public const int Unreachable = 4;
}
