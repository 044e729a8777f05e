using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary>The runtime's view of a processor: options, partials and results as raw JSON.
/// <see cref="ChunkProcessor{TOptions, TPartial, TResult}"/> implements it over typed values; a request picks
/// a processor by <see cref="Name"/>.</summary>
internal interface IChunkProcessor
{
    /// <summary>The name a request's <c>processor</c> field uses.</summary>
    string Name { get; }

    /// <summary>Checks the request's <c>options</c>, adding errors under <c>options.*</c> field names.</summary>
    void ValidateOptions(JsonElement options, FieldErrors errors);

    /// <summary>The extension of the output parts it writes (e.g. <c>ndjson</c>), or null when it emits no records.</summary>
    string? OutputFormat => null;

    /// <summary>Starts chunk <paramref name="chunk"/> of job <paramref name="jobId"/> (null for a chunk outside a job);
    /// records it emits go to <paramref name="output"/>.</summary>
    IChunkAccumulator Begin(JsonElement options, IRecordSink output, string? jobId = null, int chunk = 0);

    /// <summary>Merges partial results (of chunks, or of earlier merges) into one partial result.
    /// Must be associative and commutative, so that chunks can be merged in any grouping and order.</summary>
    JsonElement Merge(IReadOnlyList<JsonElement> partials, JsonElement options);

    /// <summary>Turns the merge of every chunk's partial result into the job's result.</summary>
    JsonElement Finish(JsonElement merged, JsonElement options);
}
