using FanOut.Cli.Api;
using FanOut.Contracts;

namespace FanOut.Cli.Output;

/// <summary>Progress in a log (a pipeline's, or any redirected output): a line when the status changes, else at most one
/// every <paramref name="every"/>, so a long job leaves a readable log rather than one line per status read.</summary>
internal sealed class ProgressLines(CliConsole console, TimeProvider clock, TimeSpan every) : IProgressView
{
    private readonly long _started = clock.GetTimestamp();
    private JobStatus? _lastStatus;
    private TimeSpan _lastLine;

    public void Show(JobResult job)
    {
        var elapsed = clock.GetElapsedTime(_started);
        if (job.Status == _lastStatus && elapsed - _lastLine < every)
        {
            return;
        }
        console.Say(ProgressText.Of(job, elapsed));
        _lastStatus = job.Status;
        _lastLine = elapsed;
    }

    public void Note(string message) => console.Say(message);

    public void Done()
    {
    }
}
