using FanOut.Core.Contracts;

namespace FanOut.Core.Notices;

/// <summary>The body of <c>notify</c> (internal): send the completion notice of a job, in an invocation of its own.
/// Written and read through the one <see cref="NoticesJsonContext.NotifyJobRequest"/>.</summary>
internal sealed record NotifyJobRequest
{
    /// <summary>Always <c>notify</c>.</summary>
    public string Action { get; set; } = BatchActions.Notify;

    /// <summary>The job whose notice is owed.</summary>
    public string? JobId { get; set; }
}
