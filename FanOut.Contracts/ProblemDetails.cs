namespace FanOut.Contracts;

/// <summary>An RFC 9457 problem, the body of every error answer (<c>application/problem+json</c>).</summary>
/// <param name="Type">A URI naming the kind of problem.</param>
/// <param name="Title">Short, fixed summary of the kind.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">What went wrong with this request.</param>
/// <param name="Errors">Messages per request field, for validation problems.</param>
public sealed record ProblemDetails(
    string Type,
    string Title,
    int Status,
    string Detail,
    IReadOnlyDictionary<string, string[]>? Errors = null)
{
    /// <summary>The id of the invocation that failed unexpectedly (<c>X-FanOut-Invocation-Id</c>): the id its logs are under.</summary>
    public string? InvocationId { get; init; }
}
