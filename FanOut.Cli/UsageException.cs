namespace FanOut.Cli;

/// <summary>A command line the CLI cannot make a request of (a missing file, options that are not JSON): exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
