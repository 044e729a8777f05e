namespace FanOut.Core.Runs;

/// <summary>What a node of the dispatch tree answers: its range's tally, and how many levels it and the nodes
/// below it used.</summary>
/// <typeparam name="TTally">The pass's tally.</typeparam>
internal sealed record NodeAnswer<TTally>
{
    /// <summary>The range's tally.</summary>
    public required TTally Tally { get; init; }

    /// <summary>Dispatch levels at and below the node.</summary>
    public int Levels { get; init; }
}
