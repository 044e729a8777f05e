using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Contracts;

/// <summary>The body of <c>start_fanout</c>, as sent by a user.</summary>
internal sealed record StartFanoutRequest
{
    /// <summary>Fields read from the body as they stand, never copied (see <c>JsonRequest.Raw</c>).</summary>
    public static readonly string[] RawFields = ["items", "options"];

    /// <summary>Always <c>start_fanout</c>.</summary>
    public string? Action { get; set; }

    /// <summary>Idempotency key of the job; generated when absent.</summary>
    public string? JobId { get; set; }

    /// <summary>Name of a registered chunk processor.</summary>
    public string? Processor { get; set; }

    /// <summary>Inline data: a JSON array of any JSON values.</summary>
    [JsonIgnore]
    public JsonElement Items { get; set; }

    /// <summary>Data by reference: a blob of an allowed input container.</summary>
    public SourceReference? Source { get; set; }

    /// <summary>Items per chunk.</summary>
    public int? ChunkSize { get; set; }

    /// <summary>Bytes per chunk of a blob source, cut without a pre-scan (record-aligned by the workers).</summary>
    public long? ChunkBytes { get; set; }

    /// <summary>In-flight self-calls of this job's dispatcher, at most the configured maximum.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Percent of chunks that may fail with the job still Succeeded (0..100).</summary>
    public double? ToleratedFailurePercent { get; set; }

    /// <summary>Chunks that may fail with the job still Succeeded (0 or more); with a percent too, the job fails when either is exceeded.</summary>
    public int? ToleratedFailureCount { get; set; }

    /// <summary>How long the call waits for the job before answering 202 (0..200 seconds).</summary>
    public int? WaitSeconds { get; set; }

    /// <summary>Answer the plan (chunks, sizes, tree, invocations) and dispatch and write nothing.</summary>
    public bool? DryRun { get; set; }

    /// <summary>Answer the plan and a projection of the run (time, invocations, GB-seconds, storage operations, cost) from a
    /// sample of its chunks run for real, with nothing committed or written.</summary>
    public EstimateRequest? Estimate { get; set; }

    /// <summary>Where the job's final status is POSTed, once, signed.</summary>
    public NotifyRequest? Notify { get; set; }

    /// <summary>Processor-specific settings.</summary>
    [JsonIgnore]
    public JsonElement Options { get; set; }

    /// <summary>This request with its raw fields taken from the body it was read from.</summary>
    public StartFanoutRequest WithRawFieldsOf(JsonElement body) => this with
    {
        Items = body.TryGetProperty("items", out var items) ? items : default,
        Options = body.TryGetProperty("options", out var options) ? options : default,
    };
}
