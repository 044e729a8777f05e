using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Contracts;

/// <summary>The body of <c>process_chunk</c>: one chunk of a job, sent by the app to itself
/// (or by a user, as the seed allowed, with the action left out). Written and read through the one
/// <see cref="FanOutJsonContext.ProcessChunkRequest"/>.</summary>
/// <remarks>Settable properties: read once per chunk, through System.Text.Json's fast path (see <see cref="ChunkResult"/>).</remarks>
internal sealed record ProcessChunkRequest
{
    /// <summary><c>process_chunk</c>, or absent.</summary>
    public string? Action { get; set; }

    /// <summary>The job the chunk belongs to; absent for a standalone chunk.</summary>
    public string? JobId { get; set; }

    /// <summary>Hops of internal calls that led here; 0 for a call from outside.</summary>
    public int Depth { get; set; }

    /// <summary>Index of the chunk in its job.</summary>
    public int Chunk { get; set; }

    /// <summary>Name of a registered chunk processor.</summary>
    public string? Processor { get; set; }

    /// <summary>Processor-specific settings, as they stand.</summary>
    public RawJson? Options { get; set; }

    /// <summary>The chunk's items, as they stand.</summary>
    public RawJson? Items { get; set; }

    /// <summary>The chunk's data by reference (instead of items): blob, version and byte range.</summary>
    public SourceReference? Source { get; set; }


    /// <summary>The run that sent the chunk (for logs and traces); absent for a standalone chunk.</summary>
    public string? RunId { get; set; }

    /// <summary>When the sender stops waiting (its clock): a chunk read after it is refused, nothing processed, so that a
    /// run's calls are over by its deadline; absent for a standalone chunk.</summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>The options' element (undefined when absent).</summary>
    [JsonIgnore]
    public JsonElement OptionsElement => Options?.Element ?? default;

    /// <summary>The items' element (undefined when absent).</summary>
    [JsonIgnore]
    public JsonElement ItemsElement => Items?.Element ?? default;

    /// <summary>This request with its raw fields (<see cref="RawJson"/>, skipped when it was read) taken from the body it was read from.</summary>
    public ProcessChunkRequest WithRawFieldsOf(JsonElement body) => this with
    {
        Items = body.TryGetProperty("items", out var items) ? RawJson.Of(items) : null,
        Options = body.TryGetProperty("options", out var options) ? RawJson.Of(options) : null,
    };
}
