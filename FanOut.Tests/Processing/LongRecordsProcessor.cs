using System.Text;
using FanOut.Core.Processing;

namespace FanOut.Tests.Processing;

// A processor written as an app would write one: how many records have at least options.minBytes bytes, and the
// longest of them. Its JSON is the default (reflection-based) one.

public sealed class LongRecordsOptions
{
    public int MinBytes { get; set; } = 1;
}

public sealed class LongRecordsPartial
{
    public long Count { get; set; }

    public string? Longest { get; set; }
}

public sealed record LongRecordsResult(long Count, string? Longest);

public sealed class LongRecordsProcessor : ChunkProcessor<LongRecordsOptions, LongRecordsPartial, LongRecordsResult>
{
    public override string Name => "longrecords";

    protected override void Validate(LongRecordsOptions options, OptionErrors errors)
    {
        if (options.MinBytes < 0)
        {
            errors.Add("minBytes", "Must not be negative.");
        }
    }

    protected override LongRecordsPartial Begin(LongRecordsOptions options) => new();

    protected override void Add(LongRecordsPartial partial, ChunkRecord record, ChunkContext<LongRecordsOptions> chunk)
    {
        if (record.Text.Length >= chunk.Options.MinBytes)
        {
            partial.Count++;
            partial.Longest = Longer(partial.Longest, Encoding.UTF8.GetString(record.Text));
        }
    }

    protected override LongRecordsPartial Merge(LongRecordsPartial into, LongRecordsPartial from)
    {
        into.Count += from.Count;
        into.Longest = Longer(into.Longest, from.Longest);
        return into;
    }

    protected override LongRecordsResult Finish(LongRecordsPartial merged, LongRecordsOptions options) => new(merged.Count, merged.Longest);

    // Longer wins, then the ordinally smaller: the same whichever order partials merge in.
    private static string? Longer(string? a, string? b) =>
        a is null ? b : b is null ? a
        : a.Length != b.Length ? (a.Length > b.Length ? a : b)
        : string.CompareOrdinal(a, b) <= 0 ? a : b;
}
