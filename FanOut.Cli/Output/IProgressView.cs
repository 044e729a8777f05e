using FanOut.Cli.Api;
using FanOut.Contracts;

namespace FanOut.Cli.Output;

/// <summary>Shows a job's progress while <c>fanout run</c> waits for it.</summary>
internal interface IProgressView
{
    /// <summary>The job's status as last read.</summary>
    void Show(JobResult job);

    /// <summary>Something that happened (a resume, giving up).</summary>
    void Note(string message);

    /// <summary>The wait is over.</summary>
    void Done();
}
