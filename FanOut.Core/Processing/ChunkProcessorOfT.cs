using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary>The base of a chunk processor, typed end to end: FanOut reads the request's options strictly into
/// <typeparamref name="TOptions"/>, gives each chunk a fresh <typeparamref name="TPartial"/> and adds its records to
/// it, merges partials pairwise up the dispatch tree (carrying them as JSON), and finishes the merge of every
/// chunk into the job's <typeparamref name="TResult"/>. One instance serves every chunk at once, so per-chunk
/// state belongs in the partial. A processor that waits on something for each record (a downstream API) derives
/// from <see cref="AsyncChunkProcessor{TOptions, TPartial, TResult}"/> instead.</summary>
/// <example>A processor that counts the records of at least <c>options.minBytes</c> bytes:
/// <code>
/// public sealed class MinBytes { public int Bytes { get; set; } }
/// public sealed class Tally { public long Records { get; set; } }
///
/// public sealed class LongRecords : ChunkProcessor&lt;MinBytes, Tally, Tally&gt;
/// {
///     public override string Name =&gt; "longrecords";
///     protected override void Validate(MinBytes options, OptionErrors errors)
///     {
///         if (options.Bytes &lt; 0) errors.Add("bytes", "Must not be negative.");
///     }
///     protected override Tally Begin(MinBytes options) =&gt; new();
///     protected override void Add(Tally partial, ChunkRecord record, ChunkContext&lt;MinBytes&gt; chunk)
///     {
///         if (record.Text.Length &gt;= chunk.Options.Bytes) partial.Records++;
///     }
///     protected override Tally Merge(Tally into, Tally from) { into.Records += from.Records; return into; }
///     protected override Tally Finish(Tally merged, MinBytes options) =&gt; merged;
/// }
/// </code>
/// registered with <c>services.AddFanOut(configuration).AddProcessor&lt;LongRecords&gt;();</c></example>
/// <typeparam name="TOptions">The request's <c>options</c>. An unknown field or a value of the wrong type is a 400
/// naming <c>options.{field}</c>; absent or null options are <c>new TOptions()</c>. <see cref="NoOptions"/> for a
/// processor that takes none.</typeparam>
/// <typeparam name="TPartial">One chunk's result, and the merge of several: a mutable class whose every property
/// round-trips through <see cref="SerializerOptions"/>, since partials travel between instances as JSON.</typeparam>
/// <typeparam name="TResult">The job's result, written as JSON.</typeparam>
public abstract class ChunkProcessor<TOptions, TPartial, TResult> : ChunkProcessor, IChunkProcessor
    where TOptions : class, new()
    where TPartial : class
{
    private JsonTypeInfo<TOptions>? _optionsJson;
    private JsonTypeInfo<TPartial>? _partialJson;
    private JsonTypeInfo<TResult>? _resultJson;

    /// <summary>The extension of the output part a chunk's emitted records are written to (e.g. <c>ndjson</c>),
    /// or null (the default) for a processor that emits none.</summary>
    protected virtual string? OutputFormat => null;

    /// <summary>How options, partials and results are (de)serialized: by default reflection-based, camelCase, nulls
    /// left out, strict numbers. Override with a source-generated context's options to be trim- and AOT-friendly.</summary>
    protected virtual JsonSerializerOptions SerializerOptions => ReflectionJson;

    /// <summary>Checks what the types alone do not (ranges, required values, combinations). Runs before the job
    /// is accepted, on options that read without error.</summary>
    /// <param name="options">The options as read.</param>
    /// <param name="errors">Where to report a problem, by the option's name.</param>
    protected virtual void Validate(TOptions options, OptionErrors errors)
    {
    }

    /// <summary>An empty partial: where each chunk starts, and what a job with no succeeded chunks finishes from.</summary>
    /// <param name="options">The request's options.</param>
    protected abstract TPartial Begin(TOptions options);

    /// <summary>Adds one record of a chunk to the chunk's partial.</summary>
    /// <param name="partial">The chunk's partial, from <see cref="Begin"/>.</param>
    /// <param name="record">The record; its bytes are valid only during this call.</param>
    /// <param name="chunk">The options, and where to emit output records.</param>
    protected abstract void Add(TPartial partial, ChunkRecord record, ChunkContext<TOptions> chunk);

    /// <summary>Merges <paramref name="from"/> into <paramref name="into"/>. Must be associative and commutative,
    /// so that chunks can merge in any grouping and order. May change and return <paramref name="into"/>.</summary>
    /// <param name="into">A partial that is not used again but as the return value.</param>
    /// <param name="from">The partial to add to it.</param>
    protected abstract TPartial Merge(TPartial into, TPartial from);

    /// <summary>Turns the merge of every succeeded chunk's partial into the job's result.</summary>
    /// <param name="merged">The merged partial.</param>
    /// <param name="options">The request's options.</param>
    protected abstract TResult Finish(TPartial merged, TOptions options);

    string? IChunkProcessor.OutputFormat => OutputFormat;

    void IChunkProcessor.ValidateOptions(JsonElement options, FieldErrors errors)
    {
        var read = options.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? new TOptions()
            : typeof(TOptions) == typeof(NoOptions) ? NoOptions.Read(options, errors) as TOptions
            : JsonRequest.Read(options, TypeInfo(ref _optionsJson), errors, OptionErrors.Prefix);
        if (read is not null)
        {
            Validate(read, new OptionErrors(errors));
        }
    }

    IChunkAccumulator IChunkProcessor.Begin(JsonElement options, IRecordSink output, string? jobId, int chunk)
    {
        var read = ReadOptions(options);
        return Accumulate(Begin(read), new ChunkContext<TOptions>(read, output, jobId, chunk));
    }

    // How the runtime adds a chunk's records to its partial: one by one through Add, here.
    private protected virtual IChunkAccumulator Accumulate(TPartial partial, ChunkContext<TOptions> chunk) => new Accumulator(this, partial, chunk);

    JsonElement IChunkProcessor.Merge(IReadOnlyList<JsonElement> partials, JsonElement options) => WritePartial(MergeAll(partials, options));

    // How the runtime merges partials given as JSON: each read, then merged pairwise through Merge, here. A
    // processor whose partials are large may read them all into one instead.
    private protected virtual TPartial MergeAll(IReadOnlyList<JsonElement> partials, JsonElement options)
    {
        var merged = partials.Count == 0 ? Begin(ReadOptions(options)) : ReadPartial(partials[0]);
        for (var i = 1; i < partials.Count; i++)
        {
            merged = Merge(merged, ReadPartial(partials[i]));
        }
        return merged;
    }

    JsonElement IChunkProcessor.Finish(JsonElement merged, JsonElement options) =>
        JsonSerializer.SerializeToElement(Finish(ReadPartial(merged), ReadOptions(options)), TypeInfo(ref _resultJson));

    // Options passed validation before any chunk ran: here they are only read.
    private TOptions ReadOptions(JsonElement options) =>
        options.ValueKind == JsonValueKind.Object && typeof(TOptions) != typeof(NoOptions)
            ? options.Deserialize(TypeInfo(ref _optionsJson)) ?? new TOptions()
            : new TOptions();

    // The job's result as Finish returned it, read back from its JSON, and options written as a request carries
    // them: the processor test kit's two ends.
    internal TResult ReadResult(JsonElement result) => result.Deserialize(TypeInfo(ref _resultJson))!;

    internal JsonElement WriteOptions(TOptions options) => JsonSerializer.SerializeToElement(options, TypeInfo(ref _optionsJson));

    private TPartial ReadPartial(JsonElement partial) =>
        partial.Deserialize(TypeInfo(ref _partialJson)) ?? throw new JsonException($"Processor '{Name}' was given a null partial result.");

    private protected JsonElement WritePartial(TPartial partial) => JsonSerializer.SerializeToElement(partial, TypeInfo(ref _partialJson));

    private JsonTypeInfo<T> TypeInfo<T>(ref JsonTypeInfo<T>? cached) =>
        cached ??= (JsonTypeInfo<T>)SerializerOptions.GetTypeInfo(typeof(T));

    private sealed class Accumulator(ChunkProcessor<TOptions, TPartial, TResult> processor, TPartial partial, ChunkContext<TOptions> chunk)
        : IChunkAccumulator
    {
        public void Add(ChunkRecord record) => processor.Add(partial, record, chunk);

        public JsonElement Complete() => processor.WritePartial(partial);
    }
}
