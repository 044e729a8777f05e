using FanOut.Cli.Api;

namespace FanOut.Cli.Jobs;

/// <summary>How a wait for a job ended: the exit code, the app's last answer (if any) and what to tell the user.</summary>
internal sealed record Verdict(int ExitCode, ApiAnswer? Last, string Message);
