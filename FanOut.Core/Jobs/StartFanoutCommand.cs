using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Processing;
using FanOut.Core.Requests;

namespace FanOut.Core.Jobs;

/// <summary>A start_fanout request that passed validation, with every default filled in. <see cref="EstimateSample"/>: the
/// chunks an estimate runs (an estimate is a dry run too), null for none.</summary>
internal sealed record StartFanoutCommand(
    string JobId,
    IChunkProcessor Processor,
    JsonElement Options,
    InlineItems Items,
    int ChunkSize,
    SourceReference? Source,
    long ChunkBytes,
    int MaxConcurrency,
    double ToleratedFailurePercent,
    int WaitSeconds,
    IReadOnlyList<PlannedBlob>? Pinned = null,
    bool DryRun = false,
    Uri? NotifyUrl = null,
    int? ToleratedFailureCount = null,
    int? EstimateSample = null);
