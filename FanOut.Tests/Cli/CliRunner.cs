using FanOut.Cli;

namespace FanOut.Tests.Cli;

/// <summary>Runs <c>fanout</c> in this process, through its entry (<see cref="CliApp.RunAsync"/>), with an environment of
/// its own: what it printed and its exit code.</summary>
internal sealed class CliRunner(IReadOnlyDictionary<string, string?>? variables = null)
{
    public async Task<CliOutcome> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(name => variables?.GetValueOrDefault(name), ErrorIsTerminal: false, TimeProvider.System);
        var exitCode = await CliApp.RunAsync(args, output, error, environment);
        return new CliOutcome(exitCode, output.ToString(), error.ToString());
    }
}

/// <summary>What one run of the CLI did.</summary>
/// <param name="Out">Its standard output: the answer a pipeline keeps.</param>
/// <param name="Error">Its standard error: progress and verdict.</param>
internal sealed record CliOutcome(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
