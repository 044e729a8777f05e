using System.Text.Json;
using System.Text.Json.Nodes;
using FanOut.Cli;
using FanOut.Cli.Api;
using FanOut.Cli.Jobs;
using FanOut.Cli.Output;

namespace FanOut.Tests.Cli;

/// <summary>How <c>fanout run</c> follows a job, over a scripted app: it polls a running job, resumes an Incomplete one a
/// bounded number of times, and gives up at its timeout.</summary>
public sealed class JobWaiterTests
{
    private static readonly JsonObject Request = new() { ["action"] = "start_fanout", ["jobId"] = "j1" };

    [Fact]
    public async Task RunAsync_RunningThenIncompleteThenSucceeded_PollsResumesOnce_Exits0()
    {
        var api = new ScriptedApi("Running", "Incomplete", "Succeeded");
        var (sut, lines) = CreateSut(api);

        var verdict = await sut.RunAsync(Request.DeepClone().AsObject());

        Assert.Equal(ExitCodes.Succeeded, verdict.ExitCode);
        Assert.Equal(["start", "status", "resume"], api.Calls);
        Assert.Contains(lines.ToString().Split('\n'), l => l.StartsWith("Job j1 is Incomplete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_IncompleteAfterEveryResume_StopsAfterTheResumesAllowed_Exits3()
    {
        var api = new ScriptedApi("Incomplete");
        var (sut, _) = CreateSut(api, resumes: 2);

        var verdict = await sut.RunAsync(Request.DeepClone().AsObject());

        Assert.Equal(ExitCodes.GaveUp, verdict.ExitCode);
        Assert.Equal(["start", "resume", "resume"], api.Calls);
    }

    [Theory]
    [InlineData("Failed", ExitCodes.Failed)]
    [InlineData("Cancelled", ExitCodes.Failed)]
    [InlineData("Succeeded", ExitCodes.Succeeded)]
    public async Task RunAsync_AFinalStatus_ExitsWithItsCode(string status, int exitCode)
    {
        var (sut, _) = CreateSut(new ScriptedApi(status));

        var verdict = await sut.RunAsync(Request.DeepClone().AsObject());

        Assert.Equal(exitCode, verdict.ExitCode);
    }

    [Fact]
    public async Task RunAsync_AJobThatNeverEnds_GivesUpAtTheTimeout_Exits3_WithTheLastStatus()
    {
        var api = new ScriptedApi("Running");
        var (sut, _) = CreateSut(api, timeout: TimeSpan.FromMilliseconds(300));

        var verdict = await sut.RunAsync(Request.DeepClone().AsObject());

        Assert.Equal(ExitCodes.GaveUp, verdict.ExitCode);
        Assert.Equal(JobStatus.Running, verdict.Last!.Job!.Status);
        Assert.Contains("fanout status j1", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ARefusedStart_Exits2_WithTheProblemsTitleDetailAndFields()
    {
        var problem = new ProblemDetails("urn:fanout:problem:validation", "The request is not valid.", 400, "Invalid field(s): chunk_size.",
            new Dictionary<string, string[]> { ["chunk_size"] = ["Unknown field; did you mean chunkSize?"] });
        var api = new ScriptedApi { Refusal = new ApiAnswer(400, "{}", null, problem) };
        var (sut, _) = CreateSut(api);

        var verdict = await sut.RunAsync(Request.DeepClone().AsObject());

        Assert.Equal(ExitCodes.Refused, verdict.ExitCode);
        Assert.Equal("Refused (400): The request is not valid. Invalid field(s): chunk_size.\n  chunk_size: Unknown field; did you mean chunkSize?",
            verdict.Message.ReplaceLineEndings("\n"));
    }

    private static (JobWaiter Sut, StringWriter Lines) CreateSut(ScriptedApi api, int resumes = 3, TimeSpan? timeout = null)
    {
        var lines = new StringWriter();
        var console = new CliConsole(TextWriter.Null, lines, errorIsTerminal: false);
        var settings = new WaitSettings(timeout ?? TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(10), resumes);
        return (new JobWaiter(api, new ProgressLines(console, TimeProvider.System, TimeSpan.FromSeconds(5)), TimeProvider.System, settings), lines);
    }

    // Answers each call with the next status of its script; the last one again once the script is through.
    private sealed class ScriptedApi(params string[] statuses) : IJobApi
    {
        private int _next;

        public List<string> Calls { get; } = [];

        public ApiAnswer? Refusal { get; init; }

        public Task<ApiAnswer> StartAsync(JsonObject request, CancellationToken cancellationToken = default) => Answer("start");

        public Task<ApiAnswer> StatusAsync(string jobId, CancellationToken cancellationToken = default) => Answer("status");

        public Task<ApiAnswer> ResumeAsync(string jobId, int waitSeconds, CancellationToken cancellationToken = default) => Answer("resume");

        public Task<ApiAnswer> CancelAsync(string jobId, int waitSeconds, CancellationToken cancellationToken = default) => Answer("cancel");

        public Task<ApiAnswer> UpdateAsync(string jobId, int maxConcurrency, CancellationToken cancellationToken = default) => Answer("update");

        private Task<ApiAnswer> Answer(string call)
        {
            Calls.Add(call);
            if (Refusal is not null)
            {
                return Task.FromResult(Refusal);
            }
            var status = Enum.Parse<JobStatus>(statuses[Math.Min(_next++, statuses.Length - 1)]);
            var job = new JobResult
            {
                JobId = "j1", Status = status, Processor = "count", CreatedAt = DateTimeOffset.UnixEpoch,
                Chunks = new ChunkCounts(4, status == JobStatus.Succeeded ? 4 : 1, 0, 3), Items = new ItemCounts(0, 0),
            };
            return Task.FromResult(new ApiAnswer(200, JsonSerializer.Serialize(job, CliJsonContext.Default.JobResult), job, null));
        }
    }
}
