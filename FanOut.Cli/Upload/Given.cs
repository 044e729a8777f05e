namespace FanOut.Cli.Upload;

/// <summary>A value the CLI was given and where it came from (a flag, e.g. <c>--connection-string</c>, or an environment
/// variable, e.g. FANOUT_STORAGE_CONNECTION_STRING), so a refusal names the one to fix.</summary>
internal sealed record Given(string Value, string Source);
