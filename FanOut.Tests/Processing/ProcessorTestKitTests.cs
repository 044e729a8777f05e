using System.Text;
using FanOut.Core.Processing;

namespace FanOut.Tests.Processing;

/// <summary>The processor test kit, used as a processor's author would: processors written here, against the public SDK.</summary>
public sealed class ProcessorTestKitTests
{
    [Fact]
    public async Task RunAsync_AProcessorWithOptions_ResultCoversEveryChunk_EachChunkKnowsItsJobAndIndex()
    {
        var run = await ProcessorTestKit.RunAsync(new SeenChunks(), [["a", "bb", "ccc"], ["dddd"], [], ["ee", "f"]], new Threshold { Bytes = 2 });

        Assert.Equal(4, run.Result.Records);
        Assert.Equal(["processor-test/0", "processor-test/1", "processor-test/3"], run.Result.Chunks); // chunk 2 has no record to add
        Assert.Equal(4, run.Partials.Count);
        Assert.Equal(2, run.Partials[0].GetProperty("records").GetInt64());
        Assert.Equal(4, run.ResultJson.GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task RunAsync_TheReadmesExample_AsTheReadmeRunsIt()
    {
        var run = await ProcessorTestKit.RunAsync(new Readme.LongRecords(), [["a", "bb"], ["ccc"], []], new Readme.MinBytes { Bytes = 2 });

        Assert.Equal(2, run.Result.Records);
    }

    [Fact]
    public async Task RunAsync_AnEmptyJob_FinishesFromTheEmptyPartial()
    {
        var run = await ProcessorTestKit.RunAsync(new SeenChunks(), [], new Threshold { Bytes = 2 });

        Assert.Equal(0, run.Result.Records);
        Assert.Empty(run.Result.Chunks);
        Assert.Empty(run.Partials);
    }

    [Fact]
    public async Task RunAsync_OptionsTheProcessorRefuses_ThrowsNamingTheOption()
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => ProcessorTestKit.RunAsync(new SeenChunks(), [["a"]], new Threshold { Bytes = -1 }));

        Assert.Contains("options.bytes: Must not be negative.", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public async Task RunAsync_AMergeThatDependsOnItsGrouping_FailsTheCheck(int chunks)
    {
        var records = Enumerable.Range(0, chunks).Select(i => (IEnumerable<string>)[new string('x', i + 1)]);

        var failed = await Assert.ThrowsAsync<ProcessorCheckException>(() => ProcessorTestKit.RunAsync(new LastWins(), records));

        Assert.Contains("associative and commutative", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AProcessorThatEmitsRecords_OutputsAreEachChunksRecords()
    {
        var run = await ProcessorTestKit.RunAsync(new Upper(), [["a", "b"], ["c"]]);

        Assert.Equal([["A", "B"], ["C"]], run.Outputs);
        Assert.Equal(3, run.Result.Records);
    }

    [Fact]
    public async Task RunAsync_AnAsyncProcessor_AddsEveryRecordAwaited()
    {
        var run = await ProcessorTestKit.RunAsync(new SlowCount(), [["a", "b"], ["c"], ["d", "e", "f"]]);

        Assert.Equal(6, run.Result.Records);
    }

    public sealed class Threshold
    {
        public int Bytes { get; set; }
    }

    public sealed class Seen
    {
        public long Records { get; set; }

        public List<string> Chunks { get; set; } = [];
    }

    private sealed class SeenChunks : ChunkProcessor<Threshold, Seen, Seen>
    {
        public override string Name => "seenchunks";

        protected override void Validate(Threshold options, OptionErrors errors)
        {
            if (options.Bytes < 0)
            {
                errors.Add("bytes", "Must not be negative.");
            }
        }

        protected override Seen Begin(Threshold options) => new();

        protected override void Add(Seen partial, ChunkRecord record, ChunkContext<Threshold> chunk)
        {
            var name = $"{chunk.JobId}/{chunk.Chunk}";
            if (!partial.Chunks.Contains(name))
            {
                partial.Chunks.Add(name);
            }
            partial.Records += record.Text.Length >= chunk.Options.Bytes ? 1 : 0;
        }

        protected override Seen Merge(Seen into, Seen from)
        {
            into.Records += from.Records;
            into.Chunks.AddRange(from.Chunks);
            return into;
        }

        protected override Seen Finish(Seen merged, Threshold options)
        {
            merged.Chunks.Sort(StringComparer.Ordinal);
            return merged;
        }
    }

    // Keeps the record count of whichever partial came last: right only when merged in one order.
    private sealed class LastWins : ChunkProcessor<NoOptions, Seen, Seen>
    {
        public override string Name => "lastwins";

        protected override Seen Begin(NoOptions options) => new();

        protected override void Add(Seen partial, ChunkRecord record, ChunkContext<NoOptions> chunk) => partial.Records = record.Text.Length;

        protected override Seen Merge(Seen into, Seen from) => from;

        protected override Seen Finish(Seen merged, NoOptions options) => merged;
    }

    private sealed class Upper : ChunkProcessor<NoOptions, Seen, Seen>
    {
        public override string Name => "upper";

        protected override string? OutputFormat => "ndjson";

        protected override Seen Begin(NoOptions options) => new();

        protected override void Add(Seen partial, ChunkRecord record, ChunkContext<NoOptions> chunk)
        {
            chunk.Output.Write(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(record.Text).ToUpperInvariant()));
            partial.Records++;
        }

        protected override Seen Merge(Seen into, Seen from)
        {
            into.Records += from.Records;
            return into;
        }

        protected override Seen Finish(Seen merged, NoOptions options) => merged;
    }

    private sealed class SlowCount : AsyncChunkProcessor<NoOptions, Seen, Seen>
    {
        public override string Name => "slowcount";

        protected override Seen Begin(NoOptions options) => new();

        protected override async Task AddAsync(Seen partial, ReadOnlyMemory<byte> record, ChunkContext<NoOptions> chunk, CancellationToken cancellationToken)
        {
            await Task.Yield();
            partial.Records++;
        }

        protected override Seen Merge(Seen into, Seen from)
        {
            into.Records += from.Records;
            return into;
        }

        protected override Seen Finish(Seen merged, NoOptions options) => merged;
    }
}
