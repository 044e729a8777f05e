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

    /// <summary>True when every call of the node's subtree was seen to an end (answered, or given up by a leaf that then
    /// answered), so nothing of it sends any more; false when a node's answer did not come (it may still be sending).</summary>
    public bool Quiet { get; init; }
}
