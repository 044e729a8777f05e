namespace FanOut.Core.Ledger;

/// <summary>The chunks of a blob source: the blobs at the versions the job was planned on, and each
/// chunk's byte range in one of them (a chunk never spans blobs).</summary>
internal sealed record SourcePlan
{
    /// <summary>The source's blobs, in name order, pinned to their versions.</summary>
    public IReadOnlyList<PlannedBlob> Blobs { get; set; } = [];

    /// <summary>The chunks, in order.</summary>
    public IReadOnlyList<PlannedChunk> Chunks { get; set; } = [];
}

/// <summary>A blob of a source at the version (ETag) the job was planned on.</summary>
internal sealed record PlannedBlob(string Name, string ETag, long Length);

/// <summary>A chunk: the byte range [Start, End) of blob number <see cref="Blob"/> of the plan.</summary>
internal sealed record PlannedChunk(int Blob, long Start, long End);
