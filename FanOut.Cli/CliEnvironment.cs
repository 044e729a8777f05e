namespace FanOut.Cli;

/// <summary>What the CLI takes from the process around it, given explicitly so a test runs it in process.</summary>
/// <param name="Variable">Reads an environment variable (FANOUT_URL, FANOUT_KEY, FANOUT_STORAGE_CONNECTION_STRING).</param>
/// <param name="ErrorIsTerminal">Standard error is a terminal (a progress bar), not a log (progress lines).</param>
/// <param name="Clock">The clock of every wait.</param>
internal sealed record CliEnvironment(Func<string, string?> Variable, bool ErrorIsTerminal, TimeProvider Clock)
{
    /// <summary>The environment of this process.</summary>
    public static CliEnvironment Process() =>
        new(Environment.GetEnvironmentVariable, !Console.IsErrorRedirected, TimeProvider.System);
}
