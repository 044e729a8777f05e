namespace FanOut.Core.Contracts;

/// <summary>The body of <c>count_quotes</c> (internal): count the quote characters of one chunk's byte range of a CSV
/// blob, the first pass of a CSV job cut by bytes. Answered with a <see cref="QuoteCount"/>.</summary>
internal sealed record CountQuotesRequest
{
    /// <summary>Always <c>count_quotes</c>.</summary>
    public string Action { get; set; } = BatchActions.CountQuotes;

    /// <summary>The job the chunk belongs to.</summary>
    public string? JobId { get; set; }

    /// <summary>Hops of internal calls that led here (first with the action and the job: what a signature names).</summary>
    public int Depth { get; set; }

    /// <summary>Index of the chunk in its job.</summary>
    public int Chunk { get; set; }

    /// <summary>The blob, its planned version and the chunk's byte range.</summary>
    public SourceReference? Source { get; set; }
}
