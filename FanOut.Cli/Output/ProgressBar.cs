using FanOut.Cli.Api;
using FanOut.Contracts;

namespace FanOut.Cli.Output;

/// <summary>Progress on a terminal: one line with a bar, redrawn at every status read.</summary>
internal sealed class ProgressBar(CliConsole console, TimeProvider clock) : IProgressView
{
    private const int Width = 30;
    private readonly long _started = clock.GetTimestamp();
    private bool _open;

    public void Show(JobResult job)
    {
        console.Redraw(ProgressText.Of(job, clock.GetElapsedTime(_started), Width));
        _open = true;
    }

    public void Note(string message)
    {
        Done();
        console.Say(message);
    }

    public void Done()
    {
        if (_open)
        {
            console.EndLine();
            _open = false;
        }
    }
}
