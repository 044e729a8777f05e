using System.CommandLine;
using FanOut.Cli.Jobs;
using FanOut.Cli.Output;

namespace FanOut.Cli.Commands;

/// <summary><c>fanout run</c>: starts a job (from flags, or a request file and flags) and waits for its verdict.</summary>
internal static class RunCommand
{
    private static readonly TimeSpan LineEvery = TimeSpan.FromSeconds(5);

    public static Command Create(CliConsole console, CliEnvironment environment)
    {
        var app = new AppOptions();
        var request = new Option<FileInfo?>("--request") { Description = "A start_fanout request as a JSON file; the flags below override its fields." };
        var jobId = new Option<string?>("--job-id") { Description = "Your id for the job (e.g. the pipeline's run id): a retried step gets the same job. Default: a new id." };
        var processor = new Option<string?>("--processor") { Description = "count, wordcount, project, or one of the app's own (the app's default: count)." };
        var source = new Option<string?>("--source") { Description = "The data by reference: container/path/to/blob, or container/prefix/ for every blob under it." };
        var format = new Option<string?>("--format") { Description = "The source's format: lines, ndjson, csv or json (one JSON array)." };
        format.AcceptOnlyFromAmong("lines", "ndjson", "csv", "json");
        var itemsFile = new Option<FileInfo?>("--items-file") { Description = "The data inline: a .json file holding an array of items, or a text file, one item per line." };
        var chunkSize = new Option<int?>("--chunk-size") { Description = "Items (records) per chunk." };
        var chunkBytes = new Option<long?>("--chunk-bytes") { Description = "For a source: bytes per chunk, without a pre-scan (at least 65536)." };
        var maxConcurrency = new Option<int?>("--max-concurrency") { Description = "The job's chunks in flight at once." };
        var tolerated = new Option<double?>("--tolerated-failure-percent") { Description = "The job still succeeds when at most this share of its chunks failed." };
        var toleratedCount = new Option<int?>("--tolerated-failure-count") { Description = "The job still succeeds when at most this many of its chunks failed (with a percent too: within both)." };
        var options = new Option<string?>("--options") { Description = "The processor's settings, as a JSON object, e.g. '{\"top\":10}'." };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "Give up waiting after this long (exit 3; the job goes on): 90s, 15m, 2h.", DefaultValueFactory = _ => TimeSpan.FromHours(1), CustomParser = Durations.Parse };
        var poll = new Option<TimeSpan>("--poll-interval") { Description = "Time between two reads of the job's status.", DefaultValueFactory = _ => TimeSpan.FromSeconds(2), CustomParser = Durations.Parse };
        var resumes = new Option<int>("--resumes") { Description = "Most resumes of a job found Incomplete (nothing runs it any more).", DefaultValueFactory = _ => 3 };
        var estimate = new Option<bool>("--estimate") { Description = "Start nothing: print the job's plan and a projection of its run (time, invocations, GB-seconds, storage operations, cost) from a sample of its chunks run for real, nothing committed." };
        var sample = new Option<int?>("--sample") { Description = "With --estimate: how many chunks to run as the sample (the app's default: 8)." };

        var command = new Command("run", "Start a job and wait for its verdict: exit 0 Succeeded, 1 Failed or Cancelled, 2 refused, 3 gave up waiting, 4 app unreachable.")
        {
            request, jobId, processor, source, format, itemsFile, chunkSize, chunkBytes, maxConcurrency, tolerated, toleratedCount, options, timeout, poll, resumes,
            estimate, sample,
        };
        app.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var flags = new RunFlags
            {
                RequestFile = parsed.GetValue(request), JobId = parsed.GetValue(jobId), Processor = parsed.GetValue(processor),
                Source = parsed.GetValue(source), Format = parsed.GetValue(format), ItemsFile = parsed.GetValue(itemsFile),
                ChunkSize = parsed.GetValue(chunkSize), ChunkBytes = parsed.GetValue(chunkBytes), MaxConcurrency = parsed.GetValue(maxConcurrency),
                ToleratedFailurePercent = parsed.GetValue(tolerated), ToleratedFailureCount = parsed.GetValue(toleratedCount), Options = parsed.GetValue(options),
                EstimateSample = Estimating(parsed.GetValue(estimate), parsed.GetValue(sample)),
            };
            var settings = new WaitSettings(parsed.GetValue(timeout), parsed.GetValue(poll), Math.Max(0, parsed.GetValue(resumes)));
            using var api = app.Connect(parsed, environment);
            return await RunAsync(flags, settings, api, app.AppUrl(parsed, environment), console, environment.Clock, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        RunFlags flags, WaitSettings settings, Api.IJobApi api, Uri appUrl, CliConsole console, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = JobRequest.Build(flags, clock);
        if (flags.EstimateSample is not null)
        {
            return await EstimateAsync(body, api, appUrl, console, cancellationToken);
        }
        body["waitSeconds"] ??= settings.CallWaitSeconds;
        var jobId = body["jobId"]!.GetValue<string>();
        console.Say($"Job {jobId}: starting at {appUrl.GetLeftPart(UriPartial.Path)}");
        IProgressView progress = console.ErrorIsTerminal ? new ProgressBar(console, clock) : new ProgressLines(console, clock, LineEvery);
        var verdict = await new JobWaiter(api, progress, clock, settings).RunAsync(body, cancellationToken);
        Report(verdict, console);
        return verdict.ExitCode;
    }

    // --estimate: the sample asked for (0: the app's default), or null without it; --sample alone is a mistake.
    private static int? Estimating(bool estimate, int? sample)
    {
        if (!estimate)
        {
            return sample is null ? null : throw new UsageException("--sample goes with --estimate.");
        }
        return sample ?? 0;
    }

    // --estimate: one call, no job started; the plan and its projection on standard output, the projection in words on standard error.
    private static async Task<int> EstimateAsync(System.Text.Json.Nodes.JsonObject body, Api.IJobApi api, Uri appUrl, CliConsole console, CancellationToken cancellationToken)
    {
        console.Say($"Job {body["jobId"]!.GetValue<string>()}: estimating at {appUrl.GetLeftPart(UriPartial.Path)} (a sample of its chunks runs; nothing is committed)");
        var answer = await api.StartAsync(body, cancellationToken);
        if (answer.Problem is not null)
        {
            var refused = Verdicts.Problem(answer);
            console.Say(refused.Message);
            return refused.ExitCode;
        }
        console.Answer(answer.Body);
        console.Say(EstimateText.Of(answer.Body));
        return ExitCodes.Succeeded;
    }

    /// <summary>The app's last answer on standard output (a job's status, never a problem), the verdict on standard error.</summary>
    internal static void Report(Verdict verdict, CliConsole console)
    {
        if (verdict.Last is { Problem: null } last)
        {
            console.Answer(last.Body);
        }
        console.Say(verdict.Message);
    }
}
