using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace FanOut.Core.Ledger;

/// <summary>Job ids: what a valid one looks like, and new ones that sort by creation time.</summary>
internal sealed partial class JobIds(TimeProvider timeProvider)
{
    /// <summary>True for 1 to 64 characters of <c>[A-Za-z0-9_-]</c>, and nothing after them.</summary>
    public static bool IsValid(string jobId) => Pattern().IsMatch(jobId);

    /// <summary>A new id: UTC time to the millisecond, then 48 random bits, e.g. <c>20261126T174502123Z-3f9a1c0d42be</c>.</summary>
    public string NewId() =>
        $"{timeProvider.GetUtcNow():yyyyMMdd'T'HHmmssfff'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    // \z, not $: $ also matches before a final "\n", which would let "job\n" through (issue 13).
    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex Pattern();
}
