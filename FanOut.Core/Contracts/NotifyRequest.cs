namespace FanOut.Core.Contracts;

/// <summary>start_fanout's <c>notify</c>: where the job's final status is POSTed, once, signed.</summary>
internal sealed record NotifyRequest
{
    /// <summary>An absolute http(s) URL whose host is on <c>FanOut__Notify__AllowedHosts</c>.</summary>
    public string? Url { get; set; }
}
