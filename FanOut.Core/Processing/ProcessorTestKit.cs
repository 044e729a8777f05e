using System.Text;
using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary>Runs a processor the way FanOut runs a job, without the app, storage or HTTP, for its author's tests:
/// its options are validated as a request's are; each chunk gets a fresh partial, its records one by one (awaited
/// for an <see cref="AsyncChunkProcessor{TOptions, TPartial, TResult}"/>) and a context with the job id and its
/// index; each partial travels as JSON text, as it does between instances; and the partials are merged in four
/// groupings and orders (in order, in reverse, as a tree of pairs, shuffled), each finished into a result. A merge
/// that is not associative and commutative gives different results, and the run fails.</summary>
/// <example><code>
/// var run = await ProcessorTestKit.RunAsync(new LongRecords(), [["a", "bb"], ["ccc"], []], new MinBytes { Bytes = 2 });
/// Assert.Equal(2, run.Result.Records);
/// </code></example>
public static class ProcessorTestKit
{
    /// <summary>The job id the chunks of a test run belong to.</summary>
    public const string JobId = "processor-test";

    /// <summary>Runs <paramref name="processor"/> over <paramref name="chunks"/> (each a list of records, as text
    /// without their newline) and returns its result.</summary>
    /// <param name="processor">The processor under test.</param>
    /// <param name="chunks">The job's records, chunk by chunk; none for an empty job.</param>
    /// <param name="options">The request's options; null for none.</param>
    /// <param name="cancellationToken">Passed to an async processor's records.</param>
    /// <exception cref="ArgumentException">The options are refused, as a request with them would be (400).</exception>
    /// <exception cref="ProcessorCheckException">Two groupings of the merge finished into different results.</exception>
    public static async Task<ProcessorTestRun<TResult>> RunAsync<TOptions, TPartial, TResult>(
        ChunkProcessor<TOptions, TPartial, TResult> processor,
        IEnumerable<IEnumerable<string>> chunks,
        TOptions? options = null,
        CancellationToken cancellationToken = default)
        where TOptions : class, new()
        where TPartial : class
    {
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(chunks);
        IChunkProcessor runtime = processor;
        var optionsJson = options is null ? default : processor.WriteOptions(options);
        var errors = new FieldErrors();
        runtime.ValidateOptions(optionsJson, errors);
        if (!errors.IsEmpty)
        {
            throw new ArgumentException($"Processor '{processor.Name}' refuses the options: "
                + string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")), nameof(options));
        }

        var partials = new List<JsonElement>();
        var outputs = new List<IReadOnlyList<string>>();
        foreach (var records in chunks)
        {
            var output = new BufferedRecordSink();
            var accumulator = runtime.Begin(optionsJson, output, JobId, partials.Count);
            foreach (var record in records)
            {
                var bytes = Encoding.UTF8.GetBytes(record);
                if (accumulator is IAsyncChunkAccumulator adds)
                {
                    await adds.AddAsync(bytes, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    accumulator.Add(new ChunkRecord(bytes));
                }
            }
            partials.Add(AsText(accumulator.Complete()));
            outputs.Add(Encoding.UTF8.GetString(output.Written.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        // An empty job finishes from the processor's empty partial, as the runtime's does.
        JsonElement Merge(JsonElement into, JsonElement from) => AsText(runtime.Merge([into, from], optionsJson));
        JsonElement Finish(IEnumerable<JsonElement> order, bool tree)
        {
            List<JsonElement> list = [.. order];
            var merged = list.Count == 0 ? AsText(runtime.Merge([], optionsJson)) : tree ? MergeAsTree(list, Merge) : list.Aggregate(Merge);
            return AsText(runtime.Finish(merged, optionsJson));
        }

        var shuffled = partials.ToArray();
        new Random(partials.Count).Shuffle(shuffled);
        (string Grouping, JsonElement Result)[] results =
        [
            ("in order", Finish(partials, tree: false)),
            ("in reverse order", Finish(Enumerable.Reverse(partials), tree: false)),
            ("as a tree of pairs", Finish(partials, tree: true)),
            ("shuffled", Finish(shuffled, tree: true)),
        ];
        foreach (var (grouping, result) in results.Skip(1))
        {
            if (!JsonElement.DeepEquals(results[0].Result, result))
            {
                throw new ProcessorCheckException($"Processor '{processor.Name}' finished {partials.Count} chunks into different results "
                    + $"merged {results[0].Grouping} ({results[0].Result.GetRawText()}) and {grouping} ({result.GetRawText()}): "
                    + "its Merge must be associative and commutative, since a job's chunks merge in any grouping and order.");
            }
        }
        return new ProcessorTestRun<TResult>(processor.ReadResult(results[0].Result), results[0].Result, partials, outputs);
    }

    // The partials' pairs merged level by level, as the dispatch tree merges its children.
    private static JsonElement MergeAsTree(List<JsonElement> level, Func<JsonElement, JsonElement, JsonElement> merge)
    {
        while (level.Count > 1)
        {
            level = [.. level.Chunk(2).Select(pair => pair.Length == 2 ? merge(pair[0], pair[1]) : pair[0])];
        }
        return level[0];
    }

    // Through its text and back, as a partial travels between invocations.
    private static JsonElement AsText(JsonElement value) => JsonDocument.Parse(value.GetRawText()).RootElement.Clone();
}
