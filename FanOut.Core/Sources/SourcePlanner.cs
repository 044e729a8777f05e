using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Core.Sources;

/// <summary>Plans the chunks of a blob source: pins the blob's version, then either cuts it by bytes (no
/// pre-scan: only its length is needed) or scans it once for record boundaries.</summary>
public sealed class SourcePlanner(SourceBlobs blobs)
{
    /// <summary>A planned source.</summary>
    /// <param name="Records">Records in the blob; 0 (unknown) when cut by bytes.</param>
    /// <param name="ChunkCount">Chunks of the job.</param>
    /// <param name="Plan">Where each chunk starts, for chunks of whole records; empty when cut by bytes.</param>
    public sealed record Planned(long Records, int ChunkCount, SourcePlan Plan);

    /// <summary>The reference with the blob's current version (ETag) and length (End); null when the blob
    /// does not exist.</summary>
    public async Task<SourceReference?> PinAsync(SourceReference source, CancellationToken cancellationToken = default) =>
        await blobs.GetPropertiesAsync(source, cancellationToken).ConfigureAwait(false) is { } properties
            ? source with { ETag = properties.ETag.ToString(), Start = 0, End = properties.ContentLength }
            : null;

    /// <summary>Plans a pinned source into chunks of <paramref name="chunkBytes"/> bytes (when above 0) or of
    /// <paramref name="chunkSize"/> whole records. A blob replaced since it was pinned fails the scan (412).</summary>
    public async Task<Planned> PlanAsync(SourceReference pinned, int chunkSize, long chunkBytes, CancellationToken cancellationToken = default)
    {
        if (chunkBytes > 0)
        {
            return new Planned(0, (int)((pinned.End + chunkBytes - 1) / chunkBytes), new SourcePlan());
        }
        await using var stream = await blobs.OpenReadAsync(pinned, 0, cancellationToken).ConfigureAwait(false);
        var scan = await LineBoundaryScanner.ScanAsync(stream, chunkSize, cancellationToken).ConfigureAwait(false);
        return new Planned(scan.Records, scan.ChunkStarts.Count, new SourcePlan { ChunkStarts = scan.ChunkStarts });
    }

    /// <summary>The byte range of chunk <paramref name="index"/> of a stored source job.</summary>
    public static (long Start, long End) RangeOf(JobManifest manifest, SourcePlan? plan, int index)
    {
        var length = manifest.Source!.End;
        if (manifest.ChunkBytes > 0)
        {
            var start = index * manifest.ChunkBytes;
            return (start, Math.Min(start + manifest.ChunkBytes, length));
        }
        var starts = plan!.ChunkStarts;
        return (starts[index], index + 1 < starts.Count ? starts[index + 1] : length);
    }
}
