namespace FanOut.Cli.Api;

/// <summary>An RFC 9457 problem, as the app answers every error (<c>application/problem+json</c>).</summary>
internal sealed record Problem
{
    public string? Type { get; init; }

    public string? Title { get; init; }

    public int Status { get; init; }

    public string? Detail { get; init; }

    /// <summary>Messages per request field, for validation problems.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}
