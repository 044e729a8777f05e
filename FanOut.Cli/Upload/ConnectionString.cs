namespace FanOut.Cli.Upload;

/// <summary>A storage connection string and where it came from (<c>--connection-string</c> or
/// FANOUT_STORAGE_CONNECTION_STRING), so a refusal names the one to fix.</summary>
internal sealed record ConnectionString(string Value, string Source);
