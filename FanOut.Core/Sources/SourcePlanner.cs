using FanOut.Core.Contracts;
using FanOut.Core.Ledger;

namespace FanOut.Core.Sources;

/// <summary>Plans the chunks of a blob source: pins its blobs' versions, then cuts each blob either by bytes
/// (no pre-scan: only its length is needed) or, scanning it once, into whole records.</summary>
internal sealed class SourcePlanner(SourceBlobs blobs)
{
    /// <summary>A planned source: its plan, and its records (0, unknown, when cut by bytes).</summary>
    public sealed record Planned(SourcePlan Plan, long Records);

    /// <summary>The source's blobs at their current versions; empty when there are none.</summary>
    public Task<List<PlannedBlob>> PinAsync(SourceReference source, CancellationToken cancellationToken = default) =>
        blobs.PinAsync(source, cancellationToken);

    /// <summary>Cuts the pinned blobs into chunks of <paramref name="chunkBytes"/> bytes (when above 0) or of
    /// <paramref name="chunkSize"/> whole records. A blob replaced since it was pinned fails the scan (412).</summary>
    public async Task<Planned> PlanAsync(SourceReference source, IReadOnlyList<PlannedBlob> pinned, int chunkSize, long chunkBytes,
        CancellationToken cancellationToken = default)
    {
        var chunks = new List<PlannedChunk>();
        long records = 0;
        for (var b = 0; b < pinned.Count; b++)
        {
            var blob = pinned[b];
            if (chunkBytes > 0)
            {
                for (var start = 0L; start < blob.Length; start += chunkBytes)
                {
                    chunks.Add(new PlannedChunk(b, start, Math.Min(start + chunkBytes, blob.Length)));
                }
                continue;
            }
            var reference = source with { Blob = blob.Name, Prefix = null, ETag = blob.ETag };
            await using var stream = await blobs.OpenReadAsync(reference, 0, cancellationToken).ConfigureAwait(false);
            if (source.Format == SourceFormat.Json)
            {
                // A blob that is not one array throws InvalidDataException: the job is refused before anything is stored.
                var array = await JsonArrayScanner.ScanAsync(stream, chunkSize, cancellationToken).ConfigureAwait(false);
                chunks.AddRange(array.ChunkStarts.Select((start, i) => new PlannedChunk(b, start, i + 1 < array.ChunkStarts.Count ? array.ChunkStarts[i + 1] : array.End)));
                records += array.Records;
                continue;
            }
            var scan = source.Format == SourceFormat.Csv
                ? await CsvBoundaryScanner.ScanAsync(stream, chunkSize, cancellationToken).ConfigureAwait(false)
                : await LineBoundaryScanner.ScanAsync(stream, chunkSize, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < scan.ChunkStarts.Count; i++)
            {
                chunks.Add(new PlannedChunk(b, scan.ChunkStarts[i], i + 1 < scan.ChunkStarts.Count ? scan.ChunkStarts[i + 1] : scan.Length));
            }
            records += scan.Records;
        }
        return new Planned(new SourcePlan { Blobs = pinned, Chunks = chunks }, records);
    }

    /// <summary>The reference a chunk message carries: one blob, its planned version, the chunk's range.</summary>
    public static SourceReference ChunkReference(SourceReference source, SourcePlan plan, int index)
    {
        var chunk = plan.Chunks[index];
        var blob = plan.Blobs[chunk.Blob];
        return source with { Blob = blob.Name, Prefix = null, ETag = blob.ETag, Start = chunk.Start, End = chunk.End };
    }
}
