using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using FanOut.Cli.Jobs;
using FanOut.Cli.Output;

namespace FanOut.Cli.Commands;

/// <summary><c>fanout update &lt;jobId&gt; --max-concurrency N</c>: changes a job's concurrency level while it runs (every
/// dispatcher of the job follows it within about a second); exits 0 once the app took it, printing the job's status, 2 when it
/// refused it (an invalid level, an unknown job, or one that ended Succeeded, Failed or Cancelled).</summary>
internal static class UpdateCommand
{
    public static Command Create(CliConsole console, CliEnvironment environment)
    {
        var app = new AppOptions();
        var jobId = new Argument<string>("jobId") { Description = "The job." };
        var level = new Option<int>("--max-concurrency")
        {
            Description = "The job's new concurrency level: chunks in flight at most, 1 up to the app's FanOut__Dispatch__MaxConcurrency.",
            Required = true,
            CustomParser = Level,
        };
        var command = new Command("update", "Change a running job's concurrency level: the whole job follows it within about a second.") { jobId, level };
        app.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var api = app.Connect(parsed, environment);
            var answer = await api.UpdateAsync(parsed.GetValue(jobId)!, parsed.GetValue(level), cancellationToken);
            if (answer.Problem is not null)
            {
                var refused = Verdicts.Problem(answer);
                RunCommand.Report(refused, console);
                return refused.ExitCode;
            }
            var job = answer.Job;
            RunCommand.Report(new Verdict(ExitCodes.Succeeded, answer, string.Create(CultureInfo.InvariantCulture,
                $"Job {job?.JobId} ({job?.Status.ToString() ?? "?"}) now runs at most {job?.MaxConcurrency?.ToString(CultureInfo.InvariantCulture) ?? "?"} chunks at once.")), console);
            return ExitCodes.Succeeded;
        });
        return command;
    }

    // A whole number, 1 or more; what was given is not echoed (a mistyped line may hold a secret).
    private static int Level(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var level) && level >= 1)
        {
            return level;
        }
        result.AddError("--max-concurrency must be a whole number, 1 or more.");
        return default;
    }
}
