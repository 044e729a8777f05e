using System.Text.Json;
using Azure;
using Azure.Identity;

namespace FanOut.Cli;

/// <summary>Turns whatever a command threw into one of the README's exit codes and one line to say (CliApp masks it): 2
/// for input refused, by the CLI or by the far side (a 4xx); 3 for an interruption; 4 when the app or the storage could
/// not be reached or kept failing, and for a failure the CLI does not know. Never a stack trace: the line holds the
/// message's first line only.</summary>
internal static class Failures
{
    /// <summary>The exit code and the line for <paramref name="failure"/>.</summary>
    /// <param name="failure">What the command threw.</param>
    /// <param name="interrupted">The CLI was interrupted (Ctrl+C, SIGTERM): a cancellation is that, not a timeout.</param>
    /// <param name="peer">What the command talks to: "the app", or "the storage" for upload.</param>
    public static (int ExitCode, string Line) Of(Exception failure, bool interrupted, string peer) => failure switch
    {
        UsageException => (ExitCodes.Refused, FirstLine(failure)),
        OperationCanceledException when interrupted =>
            (ExitCodes.GaveUp, "Interrupted: stopped waiting; a job already started goes on (fanout status <jobId>)."),
        // The storage SDK's "Retry failed after n tries": the last attempt's failure says what happened.
        AggregateException aggregate when aggregate.Flatten().InnerExceptions is [.., var last] => Of(last, interrupted, peer),
        AuthenticationFailedException => (ExitCodes.Refused, $"No Azure identity to reach {peer} with: {FirstLine(failure)}"),
        RequestFailedException { Status: >= 400 and < 500 } refused =>
            (ExitCodes.Refused, $"The storage refused the upload ({refused.Status} {refused.ErrorCode})."),
        RequestFailedException { Status: 0 } unreached => (ExitCodes.Unreachable, $"Cannot reach {peer}: {FirstLine(unreached.InnerException ?? unreached)}"),
        RequestFailedException failing => (ExitCodes.Unreachable, $"The storage failed ({failing.Status} {failing.ErrorCode}) after every retry."),
        HttpRequestException or HttpIOException => (ExitCodes.Unreachable, $"Cannot reach {peer}: {FirstLine(failure)}"),
        OperationCanceledException or TimeoutException => (ExitCodes.Unreachable, $"{Capital(peer)} did not answer in time: {FirstLine(failure)}"),
        IOException or UnauthorizedAccessException => (ExitCodes.Refused, $"Cannot read a file: {FirstLine(failure)}"),
        FormatException or ArgumentException or JsonException => (ExitCodes.Refused, $"Refused: {FirstLine(failure)}"),
        _ => (ExitCodes.Unreachable, $"fanout failed unexpectedly ({failure.GetType().Name}): {FirstLine(failure)}"),
    };

    // A message may span lines (the SDK's add the response's headers): its first says what happened.
    private static string FirstLine(Exception failure) =>
        failure.Message.Split('\n', 2)[0].Trim() is { Length: > 0 } line ? line : failure.GetType().Name;

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
