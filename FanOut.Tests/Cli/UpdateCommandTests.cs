using System.Text.Json;
using FanOut.Cli;
using FanOut.Tests.Support;

namespace FanOut.Tests.Cli;

/// <summary><c>fanout update &lt;jobId&gt; --max-concurrency N</c> against a scripted app on 127.0.0.1: the request it sends,
/// the status it prints, and its exit codes (0 taken, 2 refused, before anything is sent when the level is not a count).</summary>
public sealed class UpdateCommandTests
{
    [Fact]
    public async Task Update_SendsTheLevel_PrintsTheJobsStatus_Exits0()
    {
        await using var app = await CountingReceiver.StartAsync(200,
            """{"jobId":"j1","status":"Running","processor":"enrich","createdAt":"2026-01-01T00:00:00Z","chunks":{"total":30,"succeeded":4,"failed":0,"pending":26},"items":{"processed":40,"failed":0},"maxConcurrency":16}""");

        var run = await new CliRunner().RunAsync("update", "j1", "--max-concurrency", "16", "--url", app.Url.AbsoluteUri);

        Assert.True(run.ExitCode == ExitCodes.Succeeded, run.ToString());
        Assert.Equal(1, app.Requests);
        var sent = JsonDocument.Parse(app.LastBody!).RootElement;
        Assert.Equal("""{"action":"update","jobId":"j1","maxConcurrency":16}""", sent.GetRawText());
        Assert.Equal(16, JsonDocument.Parse(run.Out).RootElement.GetProperty("maxConcurrency").GetInt32());
        Assert.Contains("Job j1 (Running) now runs at most 16 chunks at once.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_OfAJobThatEnded_Exits2_WithTheConflict()
    {
        await using var app = await CountingReceiver.StartAsync(409,
            """{"type":"urn:fanout:problem:job-ended","title":"The job has ended.","status":409,"detail":"Job 'j1' has ended Succeeded: its concurrency no longer changes."}""");

        var run = await new CliRunner().RunAsync("update", "j1", "--max-concurrency", "4", "--url", app.Url.AbsoluteUri);

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Contains("Refused (409)", run.Error, StringComparison.Ordinal);
        Assert.Contains("its concurrency no longer changes", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Theory]
    [InlineData("update j1 --max-concurrency 0")]
    [InlineData("update j1 --max-concurrency -3")]
    [InlineData("update j1 --max-concurrency auto")]
    [InlineData("update j1")]
    public async Task Update_WithoutACountOfOneOrMore_Exits2_BeforeAnythingIsSent(string line)
    {
        await using var app = await CountingReceiver.StartAsync(200, """{"jobId":"j1","status":"Running"}""");

        var run = await new CliRunner().RunAsync([.. line.Split(' '), "--url", app.Url.AbsoluteUri]);

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.Equal(0, app.Requests);
        Assert.Equal("", run.Out);
    }
}
