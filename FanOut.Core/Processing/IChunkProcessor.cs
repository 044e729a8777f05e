using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary>A named piece of work done on every chunk, whose partial results merge into the job's result.
/// Register one with <c>services.AddSingleton&lt;IChunkProcessor, MyProcessor&gt;()</c>; a request picks it by
/// <see cref="Name"/>.</summary>
public interface IChunkProcessor
{
    /// <summary>The name a request's <c>processor</c> field uses.</summary>
    string Name { get; }

    /// <summary>Checks the request's <c>options</c>, adding errors under <c>options.*</c> field names.</summary>
    void ValidateOptions(JsonElement options, FieldErrors errors);

    /// <summary>The extension of the output parts it writes (e.g. <c>ndjson</c>), or null when it emits no records.</summary>
    string? OutputFormat => null;

    /// <summary>Starts one chunk; records it emits go to <paramref name="output"/>.</summary>
    IChunkAccumulator Begin(JsonElement options, IRecordSink output);

    /// <summary>Merges partial results (of chunks, or of earlier merges) into one partial result.
    /// Must be associative and commutative, so that chunks can be merged in any grouping and order.</summary>
    JsonElement Merge(IReadOnlyList<JsonElement> partials, JsonElement options);

    /// <summary>Turns the merge of every chunk's partial result into the job's result.</summary>
    JsonElement Finish(JsonElement merged, JsonElement options);
}
