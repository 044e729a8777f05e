using System.Text;
using System.Text.Json;
using FanOut.Core.Processing;

namespace FanOut.Tests.Processing;

// An async processor written as an app would write one: each record is looked up in a service of the app (a
// stand-in for a downstream API, taken from DI), emitted with its answer, and remembered in the order it came.

/// <summary>The app's service: answers a key after a real wait, unless a test makes it do something else.</summary>
public sealed class Lookups
{
    public Func<string, CancellationToken, Task<string?>> Find { get; set; } = async (key, cancellationToken) =>
    {
        await Task.Delay(1, cancellationToken);
        return key.ToUpperInvariant();
    };
}

public sealed class LookupPartial
{
    public long Found { get; set; }

    public List<string> Seen { get; set; } = [];
}

public sealed class LookupProcessor(Lookups lookups) : AsyncChunkProcessor<NoOptions, LookupPartial, LookupPartial>
{
    public override string Name => "lookup";

    protected override string? OutputFormat => "ndjson";

    protected override LookupPartial Begin(NoOptions options) => new();

    protected override async Task AddAsync(LookupPartial partial, ReadOnlyMemory<byte> record, ChunkContext<NoOptions> chunk, CancellationToken cancellationToken)
    {
        var key = Encoding.UTF8.GetString(record.Span);
        var answer = await lookups.Find(key, cancellationToken);
        // Read again after the wait: the record must still be this one, not whatever the reader read next.
        var after = Encoding.UTF8.GetString(record.Span);
        partial.Seen.Add(after);
        if (answer is not null)
        {
            partial.Found++;
        }
        chunk.Output.Write(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string?> { ["key"] = after, ["answer"] = answer }));
    }

    protected override LookupPartial Merge(LookupPartial into, LookupPartial from)
    {
        into.Found += from.Found;
        // A chunk's own partial keeps its records' order; merged, they are sorted, so that merging stays commutative.
        into.Seen = [.. into.Seen.Concat(from.Seen).Order(StringComparer.Ordinal)];
        return into;
    }

    protected override LookupPartial Finish(LookupPartial merged, NoOptions options) => merged;
}
