namespace FanOut.Samples.Enrich;

/// <summary>What <c>enrich</c> did: a chunk's partial result, their merge, and the job's result.</summary>
public sealed class EnrichCounts
{
    /// <summary>Records read (every one is emitted).</summary>
    public long Records { get; set; }

    /// <summary>Records the downstream knew: emitted with its fields.</summary>
    public long Enriched { get; set; }

    /// <summary>Records whose id the downstream did not know (404): emitted as they were.</summary>
    public long Missing { get; set; }
}
