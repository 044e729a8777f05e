using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;

namespace FanOut.Core.Runs;

/// <summary>How a run that a job was handed to answered (<see cref="RunStarter"/>), read from its self-call in this one
/// place: the callers (start_fanout and resume, a run handing over to its next hop, the watchdog) see what the run did,
/// never an HTTP status.</summary>
internal abstract record RunReply
{
    private RunReply()
    {
    }

    /// <summary>The job ended: its result.</summary>
    public sealed record Finished(JobResult Result) : RunReply;

    /// <summary>The job goes on: the run answered that it is under way (in it, a later hop, or a run that held the job
    /// already), or the caller stopped waiting once the run showed in the ledger.</summary>
    public sealed record Running : RunReply;

    /// <summary>The run found no such job (purged).</summary>
    public sealed record Gone : RunReply;

    /// <summary>The run could not be handed the job, or answered what no run answers: why.</summary>
    public sealed record Failed(string Error) : RunReply;

    /// <summary>The reply of a run's call, or <see cref="Running"/> when the caller stopped waiting for it (null).</summary>
    public static RunReply Of(SelfCallResult? call)
    {
        switch (call)
        {
            case null or { StatusCode: 202 }:
                return new Running();
            case { StatusCode: 404 }:
                return new Gone();
            case { StatusCode: 200 }:
                var result = call.Read(FanOutJsonContext.Default.JobResult, out var error);
                return result is not null ? new Finished(result) : new Failed(error ?? "An empty answer.");
            default:
                call.Read(FanOutJsonContext.Default.ProblemDetails, out var why);
                return new Failed(why ?? $"HTTP {call.StatusCode}");
        }
    }
}
