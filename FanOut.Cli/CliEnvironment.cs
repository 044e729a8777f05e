namespace FanOut.Cli;

/// <summary>What the CLI takes from the process around it, given explicitly so a test runs it in process.</summary>
/// <param name="Variable">Reads an environment variable (FANOUT_URL, FANOUT_KEY, FANOUT_STORAGE_CONNECTION_STRING, and for
/// <c>upload</c> AZURE_STORAGE_BLOB_ENDPOINT, AZURE_STORAGE_ACCOUNT_NAME and FANOUT_INPUT_CONTAINER, named like azd's outputs).</param>
/// <param name="ErrorIsTerminal">Standard error is a terminal (a progress bar), not a log (progress lines).</param>
/// <param name="Clock">The clock of every wait.</param>
internal sealed record CliEnvironment(Func<string, string?> Variable, bool ErrorIsTerminal, TimeProvider Clock)
{
    /// <summary>The environment of this process.</summary>
    public static CliEnvironment Process() =>
        new(Environment.GetEnvironmentVariable, !Console.IsErrorRedirected, TimeProvider.System);
}
