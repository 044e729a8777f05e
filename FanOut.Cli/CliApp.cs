using System.CommandLine;
using FanOut.Cli.Commands;
using FanOut.Cli.Output;

namespace FanOut.Cli;

/// <summary>The <c>fanout</c> command line: <c>run</c>, <c>status</c>, <c>cancel</c>, <c>update</c> and <c>upload</c>. Runs in process for the
/// tests, with the writers and environment it is given.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, CliEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        environment ??= CliEnvironment.Process();
        var console = new CliConsole(output, error, environment.ErrorIsTerminal);
        var peer = "the app";
        try
        {
            Secrets.HideAll(args, environment.Variable, console);
            var parsed = Commands(console, environment).Parse(args);
            if (parsed.Errors.Count > 0)
            {
                // A mistyped option (--kye …) leaves its value unmatched: it may be a secret, so no unmatched value is echoed.
                foreach (var token in parsed.UnmatchedTokens.Where(t => !t.StartsWith('-')))
                {
                    console.Hide(token);
                }
                foreach (var parseError in parsed.Errors)
                {
                    console.Say(parseError.Message);
                }
                console.Say("fanout --help lists the commands; fanout <command> --help their options.");
                return ExitCodes.Refused;
            }
            peer = parsed.CommandResult.Command.Name == "upload" ? "the storage" : "the app";
            // Ctrl+C is the caller's (Program's Interruption): a cancellation is then known to be one, not a timeout.
            var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parsed.InvokeAsync(invocation, cancellationToken);
        }
        catch (Exception ex)
        {
            // Every failure, known or not, ends here: one masked line and a documented exit code, never a stack trace.
            var (exitCode, line) = Failures.Of(ex, cancellationToken.IsCancellationRequested, peer);
            console.Say(line);
            return exitCode;
        }
    }

    /// <summary>Parses a command line as <see cref="RunAsync"/> would, running nothing.</summary>
    public static ParseResult Parse(IReadOnlyList<string> args) =>
        Commands(new CliConsole(TextWriter.Null, TextWriter.Null, errorIsTerminal: false), CliEnvironment.Process()).Parse(args);

    private static RootCommand Commands(CliConsole console, CliEnvironment environment) =>
        new("fanout: run FanOut jobs from a pipeline. Upload the data, start a job, wait for its verdict.")
        {
            RunCommand.Create(console, environment),
            StatusCommand.Create(console, environment),
            CancelCommand.Create(console, environment),
            UpdateCommand.Create(console, environment),
            UploadCommand.Create(console, environment),
        };
}
