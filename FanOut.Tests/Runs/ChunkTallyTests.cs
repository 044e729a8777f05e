using System.Text.Json;
using FanOut.Core.Planning;
using FanOut.Core.Runs;

namespace FanOut.Tests.Runs;

/// <summary>The open chunks of a tally travel up the tree as runs: joined where they meet, dropped (not known) when one
/// part does not know its own or when they are too many to carry.</summary>
public sealed class ChunkTallyTests
{
    private static readonly Func<IReadOnlyList<JsonElement>, JsonElement> NoMerge = partials => partials[0];

    [Fact]
    public void Combine_JoinsOpenRunsThatMeet_AndAddsWhatTheRunCommitted()
    {
        var parts = new[]
        {
            new ChunkTally { Succeeded = 3, NewlySucceeded = 2, NewItems = 20, Unfinished = 1, Open = [new(3, 1)], Unsure = [new(3, 1)] },
            ChunkTally.Missing(new ChunkSpan(4, 4), [new(4, 2), new(7, 1)], sent: true),
            ChunkTally.Missing(new ChunkSpan(8, 2), [new(8, 2)], sent: false),
            new ChunkTally { Succeeded = 4, Open = [] },
        };

        var total = ChunkTally.Combine(parts, NoMerge);

        Assert.Equal([new ChunkSpan(3, 3), new ChunkSpan(7, 3)], total.Open);
        Assert.Equal([new ChunkSpan(3, 3), new ChunkSpan(7, 1)], total.Unsure); // a node not sent did nothing
        Assert.Equal((7, 2, 20L, 7), (total.Succeeded, total.NewlySucceeded, total.NewItems, total.Unfinished));
    }

    [Fact]
    public void Combine_WithAPartThatDoesNotKnowItsOpenChunks_DoesNotKnowThem()
    {
        var total = ChunkTally.Combine([new ChunkTally { Unfinished = 2 }, ChunkTally.Missing(new ChunkSpan(2, 2), [new(2, 2)], sent: true)], NoMerge);

        Assert.Null(total.Open);
    }

    [Fact]
    public void Combine_MoreOpenRunsThanATallyCarries_DropsThem()
    {
        var apart = Enumerable.Range(0, ChunkTally.MaxOpenRuns + 1).Select(i => ChunkTally.Missing(new ChunkSpan(2 * i, 2), [new(2 * i, 1)], sent: false)).ToList();
        var atTheCap = apart.Take(ChunkTally.MaxOpenRuns).ToList();

        Assert.Null(ChunkTally.Combine(apart, NoMerge).Open);
        Assert.Equal(ChunkTally.MaxOpenRuns, ChunkTally.Combine(atTheCap, NoMerge).Open!.Count);
    }

    [Fact]
    public void ATally_CrossesTheWire_WithItsOpenRuns()
    {
        var tally = new ChunkTally { Succeeded = 1, Unfinished = 2, Open = [new(4, 2)], Unsure = [new(5, 1)] };
        var answer = new NodeAnswer<ChunkTally> { Tally = tally, Levels = 1, Quiet = true };

        var json = JsonSerializer.Serialize(answer, RunsJsonContext.Default.NodeAnswerChunkTally);
        var back = JsonSerializer.Deserialize(json, RunsJsonContext.Default.NodeAnswerChunkTally)!;

        Assert.Contains("\"open\":[{\"first\":4,\"count\":2}]", json);
        Assert.Equal([new ChunkSpan(4, 2)], back.Tally.Open);
        Assert.Equal([new ChunkSpan(5, 1)], back.Tally.Unsure);
    }
}
