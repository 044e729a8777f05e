using FanOut.Core.Processing;

namespace FanOut.Tests.Processing.Readme;

// README: begin (the README's "Your own processor" example, verbatim: ReadmeProcessorTests checks both agree)
public sealed class MinBytes { public int Bytes { get; set; } }
public sealed class Tally { public long Records { get; set; } }

public sealed class LongRecords : ChunkProcessor<MinBytes, Tally, Tally>
{
    public override string Name => "longrecords";
    protected override void Validate(MinBytes options, OptionErrors errors)
    {
        if (options.Bytes < 0) errors.Add("bytes", "Must not be negative.");
    }
    protected override Tally Begin(MinBytes options) => new();
    protected override void Add(Tally partial, ChunkRecord record, ChunkContext<MinBytes> chunk)
    {
        if (record.Text.Length >= chunk.Options.Bytes) partial.Records++;
    }
    protected override Tally Merge(Tally into, Tally from) { into.Records += from.Records; return into; }
    protected override Tally Finish(Tally merged, MinBytes options) => merged;
}
// README: end
