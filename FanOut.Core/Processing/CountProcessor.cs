using System.Text.Json;

namespace FanOut.Core.Processing;

/// <summary><c>count</c>: how many records, and how many bytes of UTF-8 text they hold.</summary>
internal sealed class CountProcessor : ChunkProcessor<NoOptions, CountPartial, CountPartial>
{
    public override string Name => "count";

    protected override JsonSerializerOptions SerializerOptions => ProcessingJsonContext.Default.Options;

    protected override CountPartial Begin(NoOptions options) => new();

    protected override void Add(CountPartial partial, ChunkRecord record, ChunkContext<NoOptions> chunk)
    {
        partial.Records++;
        partial.Bytes += record.Text.Length;
    }

    protected override CountPartial Merge(CountPartial into, CountPartial from)
    {
        into.Records += from.Records;
        into.Bytes += from.Bytes;
        return into;
    }

    protected override CountPartial Finish(CountPartial merged, NoOptions options) => merged;
}

/// <summary>The partial and final result of <c>count</c>.</summary>
internal sealed class CountPartial
{
    public long Records { get; set; }

    public long Bytes { get; set; }
}
