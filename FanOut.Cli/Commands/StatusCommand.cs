using System.CommandLine;
using FanOut.Cli.Jobs;
using FanOut.Cli.Output;

namespace FanOut.Cli.Commands;

/// <summary><c>fanout status &lt;jobId&gt;</c>: prints a job's status; exits as <c>run</c> would on it (3 while it is not finished).</summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console, CliEnvironment environment)
    {
        var app = new AppOptions();
        var jobId = new Argument<string>("jobId") { Description = "The job." };
        var command = new Command("status", "Print a job's status: exit 0 Succeeded, 1 Failed or Cancelled, 2 unknown job, 3 not finished.") { jobId };
        app.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var api = app.Connect(parsed, environment);
            var answer = await api.StatusAsync(parsed.GetValue(jobId)!, cancellationToken);
            var verdict = Verdicts.Of(answer);
            RunCommand.Report(verdict, console);
            return verdict.ExitCode;
        });
        return command;
    }
}
