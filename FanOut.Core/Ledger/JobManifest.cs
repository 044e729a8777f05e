using System.Text.Json;
using FanOut.Core.Contracts;

namespace FanOut.Core.Ledger;

/// <summary>A job as it was accepted: <c>jobs/{jobId}/manifest.json</c>, written once, before anything is
/// dispatched. Everything needed to (re)run the job is here or in the input blob it names.</summary>
internal sealed record JobManifest
{
    /// <summary>The job's id.</summary>
    public required string JobId { get; set; }

    /// <summary>Hash of what defines the job's result (processor, options, chunking, tolerance, items):
    /// the same jobId with another fingerprint is a different request (409).</summary>
    public required string Fingerprint { get; set; }

    /// <summary>The rule <see cref="Fingerprint"/> was made by: 0 (absent in manifests written before there were
    /// rules) for the request as it was written, 1 for its canonical form (see JobFingerprint in Jobs).</summary>
    public int FingerprintVersion { get; set; }

    /// <summary>The processor's name.</summary>
    public required string Processor { get; set; }

    /// <summary>The processor's options, as sent (null when none were).</summary>
    public JsonElement? Options { get; set; }

    /// <summary>The options as processors take them (undefined when none were sent).</summary>
    public JsonElement ProcessorOptions() => Options ?? default;

    /// <summary>Items per chunk.</summary>
    public int ChunkSize { get; set; }

    /// <summary>Items (records) in the job; unknown (0) for a blob source cut by bytes.</summary>
    public long ItemCount { get; set; }

    /// <summary>For a blob source: which blob, its version and length; null for inline items.</summary>
    public SourceReference? Source { get; set; }

    /// <summary>For a blob source cut by bytes: bytes per chunk; 0 when chunks are whole records.</summary>
    public long ChunkBytes { get; set; }

    /// <summary>Chunks in the job.</summary>
    public int ChunkCount { get; set; }

    /// <summary>Share of chunks (percent) that may fail with the job still Succeeded.</summary>
    public double ToleratedFailurePercent { get; set; }

    /// <summary>Chunks that may fail with the job still Succeeded, or null for no limit by count.</summary>
    public int? ToleratedFailureCount { get; set; }

    /// <summary>In-flight self-calls per dispatcher of this job.</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>When the job was accepted.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The blob holding the job's input: for a blob source its <see cref="SourcePlan"/>, for inline
    /// items the items themselves with each chunk's byte range (see ItemLines in Sources).</summary>
    public required string InputBlob { get; set; }

    /// <summary>Where the job's final status is POSTed (start_fanout's notify.url), or null.</summary>
    public string? NotifyUrl { get; set; }

    /// <summary>Items of a chunk: known for inline items and whole-record chunks, unknown (0) for byte ranges.</summary>
    public long ItemsIn(int chunk) => ChunkBytes > 0 ? 0 : Math.Min(ChunkSize, ItemCount - (long)chunk * ChunkSize);
}
