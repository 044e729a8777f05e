namespace FanOut.Core.Ledger;

/// <summary><c>jobs/{jobId}/dispatch.json</c>: the lease of the job's current root run. A run writes it when it
/// starts (with a conditional write, so that two runs of one job never walk at once), and the caller that
/// handed it the job knows from it that the run arrived before answering 202. The run ends it when it
/// ends. A lease lasts a short term that its run renews while it walks (RunLease's heartbeat); a run that died
/// holds it until <see cref="ExpiresAt"/>, at most a term after its last renewal.</summary>
internal sealed record DispatchMarker
{
    /// <summary>The id the caller gave this dispatch run.</summary>
    public required string RunId { get; set; }

    /// <summary>The run's place in its chain of hops: 1 for a run a client started (start_fanout, resume),
    /// one more for each run that took over what its predecessor left at its deadline.</summary>
    public int Hop { get; set; } = 1;

    /// <summary>The run this one took the job over from (its hop's predecessor); null at hop 1. A status read
    /// counts the predecessor's progress until this run has written its own base line.</summary>
    public string? Predecessor { get; set; }

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Until when the run holds the job, unless it ends first or renews it (absent in markers written before
    /// leases: such a marker holds nothing).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>From when no call of the run's tree is accepted any more: its deadline (every call it makes carries it, and
    /// a receiver refuses a call read after it) plus a margin for the clocks of instances, or the moment the run saw every
    /// call of its tree answered. A run that takes the job over sends nothing before it, so two runs' calls never overlap in
    /// time. Null in markers written before it was recorded.</summary>
    public DateTimeOffset? QuietAt { get; set; }

    /// <summary>True when the lease is held by a purge of the job, not by a run: no run takes the job while its blobs are
    /// removed, and nobody reads the lease as a run under way.</summary>
    public bool Purging { get; set; }

    /// <summary>When the run ended and let the job go; null while it holds it.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>True when, at <paramref name="now"/>, the run still holds the job.</summary>
    public bool HoldsAt(DateTimeOffset now) => EndedAt is null && ExpiresAt > now;
}
