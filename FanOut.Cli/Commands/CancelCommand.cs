using System.CommandLine;
using FanOut.Cli.Jobs;
using FanOut.Cli.Output;
using FanOut.Contracts;

namespace FanOut.Cli.Commands;

/// <summary><c>fanout cancel &lt;jobId&gt;</c>: stops a job (its chunks in flight finish); exits 0 once the app took the cancel,
/// 2 when it refused it (an unknown job, or one that already ended Succeeded or Failed).</summary>
internal static class CancelCommand
{
    public static Command Create(CliConsole console, CliEnvironment environment)
    {
        var app = new AppOptions();
        var jobId = new Argument<string>("jobId") { Description = "The job." };
        var wait = new Option<int>("--wait-seconds") { Description = "How long the app waits for the job to end Cancelled (0..200).", DefaultValueFactory = _ => 10 };
        var command = new Command("cancel", "Cancel a job: no chunk is sent any more, the chunks in flight finish; the API's resume runs what was left.") { jobId, wait };
        app.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var api = app.Connect(parsed, environment);
            var answer = await api.CancelAsync(parsed.GetValue(jobId)!, parsed.GetValue(wait), cancellationToken);
            if (answer.Problem is not null)
            {
                var refused = Verdicts.Problem(answer);
                RunCommand.Report(refused, console);
                return refused.ExitCode;
            }
            var status = answer.Job?.Status;
            RunCommand.Report(new Verdict(ExitCodes.Succeeded, answer, status == JobStatus.Cancelled
                ? $"Job {answer.Job!.JobId} is Cancelled."
                : $"Job {answer.Job?.JobId} is stopping ({status?.ToString() ?? "?"}); `fanout status` shows when it is Cancelled."), console);
            return ExitCodes.Succeeded;
        });
        return command;
    }
}
