namespace FanOut.Core.Contracts;

/// <summary>Data by reference: one blob of an allowed input container (the <c>source</c> field of
/// start_fanout), and in a chunk message also the exact blob version and the chunk's byte range.</summary>
internal sealed record SourceReference
{
    /// <summary>An input container on the allow-list (FanOut__Storage__InputContainers).</summary>
    public string? Container { get; set; }

    /// <summary>The blob's name in the container (or give <see cref="Prefix"/>).</summary>
    public string? Blob { get; set; }

    /// <summary>Every blob whose name starts with this, in name order (instead of <see cref="Blob"/>).</summary>
    public string? Prefix { get; set; }

    /// <summary>How records are framed (<see cref="SourceFormat"/>; absent in a request: lines).</summary>
    public SourceFormat? Format { get; set; }

    /// <summary>In chunk messages: the blob version (ETag) the job was planned on; reads are If-Match on it.</summary>
    public string? ETag { get; set; }

    /// <summary>In chunk messages of a CSV blob cut by bytes: whether the range starts inside a quoted field
    /// (the parity of the quotes before it, counted by the job's count_quotes pass).</summary>
    public bool? InQuotes { get; set; }

    /// <summary>In chunk messages: start of the chunk's byte range (inclusive).</summary>
    public long Start { get; set; }

    /// <summary>In chunk messages: end of the chunk's byte range (exclusive).</summary>
    public long End { get; set; }
}
