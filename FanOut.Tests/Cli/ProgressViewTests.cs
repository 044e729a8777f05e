using FanOut.Cli.Api;
using FanOut.Cli.Output;
using Microsoft.Extensions.Time.Testing;

namespace FanOut.Tests.Cli;

/// <summary>How <c>fanout run</c> shows progress: a bar redrawn in place on a terminal, a line now and then in a log.</summary>
public sealed class ProgressViewTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly StringWriter _error = new();

    [Fact]
    public void ProgressLines_ALineWhenTheStatusChanges_ElseAtMostOneEveryInterval()
    {
        var sut = new ProgressLines(new CliConsole(TextWriter.Null, _error, errorIsTerminal: false), _clock, TimeSpan.FromSeconds(5));

        sut.Show(Job("Running", 10));
        _clock.Advance(TimeSpan.FromSeconds(2));
        sut.Show(Job("Running", 20));   // 2 s after the last line: none
        _clock.Advance(TimeSpan.FromSeconds(3));
        sut.Show(Job("Running", 30));   // 5 s: a line
        _clock.Advance(TimeSpan.FromSeconds(1));
        sut.Show(Job("Succeeded", 40)); // a new status: a line at once

        Assert.Equal(
            ["Running     25% 10/40 chunks, 100 items  0:00", "Running     75% 30/40 chunks, 300 items  0:05", "Succeeded  100% 40/40 chunks, 400 items  0:06"],
            _error.ToString().TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public void ProgressBar_RedrawsOneLine_AndEndsItWhenDone()
    {
        var sut = new ProgressBar(new CliConsole(TextWriter.Null, _error, errorIsTerminal: true), _clock);

        sut.Show(Job("Running", 20));
        sut.Show(Job("Succeeded", 40));
        sut.Done();

        Assert.Equal(
            "\r[###############...............] Running     50% 20/40 chunks, 200 items  0:00\u001b[K" +
            "\r[##############################] Succeeded  100% 40/40 chunks, 400 items  0:00\u001b[K" + Environment.NewLine,
            _error.ToString());
    }

    private static JobResult Job(string status, int done) => new()
    {
        JobId = "j", Status = Enum.Parse<JobStatus>(status), Processor = "count", CreatedAt = DateTimeOffset.UnixEpoch,
        Chunks = new ChunkCounts(40, done, 0, 40 - done), Items = new ItemCounts(done * 10, 0),
    };
}
