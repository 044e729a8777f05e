using FanOut.Core.Configuration;

namespace FanOut.Core.Contracts;

/// <summary>The projection of an <c>estimate</c> (beside its plan): what a run of the job would take and cost, projected
/// from a sample of its chunks run once each. A projection, not a promise: <see cref="Note"/> says from what.</summary>
internal sealed record JobEstimate
{
    /// <summary>The chunks that were run and how long each took.</summary>
    public required EstimateSample Sample { get; init; }

    /// <summary>Projected wall time of the run, in seconds: the waves of chunks at the plan's concurrency, each the sample's
    /// median, plus one of the sample's fastest round trips per dispatch level (the tree's way down).</summary>
    public double Seconds { get; init; }

    /// <summary>Function invocations (the plan's count): what executions are billed on.</summary>
    public long Invocations { get; init; }

    /// <summary>Instances kept busy while it runs: its calls in flight (the chunks and one dispatcher per level) over the
    /// instance's concurrency (FanOut__Platform__PerInstanceConcurrency), at most FanOut__Platform__MaximumInstanceCount.</summary>
    public int Instances { get; init; }

    /// <summary>The memory of one instance (FanOut__Estimate__InstanceMemoryMB).</summary>
    public int InstanceMemoryMB { get; init; }

    /// <summary>Billed execution time: instances × their memory in GB × <see cref="Seconds"/>.</summary>
    public double GbSeconds { get; init; }

    /// <summary>Blob Storage operations the run would make, counted from what each part of it reads and writes.</summary>
    public required StorageOperations StorageOperations { get; init; }

    /// <summary>The cost at the configured list prices.</summary>
    public required EstimatedCost Cost { get; init; }

    /// <summary>What the projection rests on, in words.</summary>
    public required string Note { get; init; }
}

/// <summary>The sample of an estimate: which chunks ran, what they held, and the spread of their round trips (seconds, as the
/// caller saw each call: the HTTP hop, the invocation and the processing).</summary>
internal sealed record EstimateSample
{
    /// <summary>How many chunks ran.</summary>
    public int Size { get; init; }

    /// <summary>Their indices, chosen at random with the job id as the seed (the same job id samples the same chunks).</summary>
    public IReadOnlyList<int> Chunks { get; init; } = [];

    /// <summary>Records they held.</summary>
    public long Records { get; init; }

    /// <summary>Those that failed (their time counts all the same).</summary>
    public int Failed { get; init; }

    /// <summary>The first failures' errors, when some failed.</summary>
    public IReadOnlyList<string>? Errors { get; init; }

    /// <summary>The fastest round trip.</summary>
    public double MinSeconds { get; init; }

    /// <summary>The median round trip.</summary>
    public double MedianSeconds { get; init; }

    /// <summary>The slowest round trip.</summary>
    public double MaxSeconds { get; init; }
}

/// <summary>Blob Storage operations by billing category.</summary>
internal sealed record StorageOperations(long Reads, long Writes, long Lists)
{
    /// <summary>All of them.</summary>
    public long Total => Reads + Writes + Lists;
}

/// <summary>A cost by part, in the price table's currency, rounded to millionths.</summary>
internal sealed record EstimatedCost
{
    /// <summary>The currency.</summary>
    public required string Currency { get; init; }

    /// <summary>GB-seconds × the price per GB-second.</summary>
    public decimal ExecutionTime { get; init; }

    /// <summary>Invocations × the price per million executions / 1,000,000.</summary>
    public decimal Executions { get; init; }

    /// <summary>Each category of storage operations × its price per 10,000 / 10,000.</summary>
    public decimal Storage { get; init; }

    /// <summary>The sum of the three.</summary>
    public decimal Total { get; init; }

    /// <summary>The price table used, with its date.</summary>
    public required PriceTable Prices { get; init; }
}
