using FanOut.Contracts;

namespace FanOut.Cli.Api;

/// <summary>One answer of the app: a job's status (<see cref="Job"/>), or a problem it refused the call with
/// (<see cref="Problem"/>), with the body as it came.</summary>
internal sealed record ApiAnswer(int StatusCode, string Body, JobResult? Job, ProblemDetails? Problem)
{
    /// <summary>A 4xx: the app refused the call; sending it again changes nothing.</summary>
    public bool IsRefusal => StatusCode is >= 400 and < 500;
}
