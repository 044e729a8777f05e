using Azure;

namespace FanOut.Core.Ledger;

/// <summary>Blob Storage failed or could not be reached: answered 503, worth trying again later.</summary>
internal sealed class StorageUnavailableException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>True for a storage failure that another attempt may not meet: the service unreachable, a
    /// timeout, throttling or a server error; false for answers that would repeat (404, 409, 412, 403…).</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        RequestFailedException => false,
        // The SDK's retries all failed: a try that timed out is in it as a cancellation (the caller's own cancellation is
        // thrown as it is, never in an aggregate).
        AggregateException aggregate => aggregate.InnerExceptions.All(inner => inner is OperationCanceledException || IsTransient(inner)),
        HttpRequestException or IOException or TimeoutException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };
}
