namespace FanOut.Core.Processing;

/// <summary>An accumulator that also takes line records many at a time (<c>LineRecords.ReadBlocksAsync</c>): whole
/// lines in a row, each with its "\n" (and any "\r" before it) still on. Only for a processor to which those bytes
/// merely separate what it counts, so that a block gives the partial its lines give one by one (wordcount, whose
/// words never span them).</summary>
internal interface ILineBlockAccumulator
{
    /// <summary>Adds <paramref name="count"/> records given as one block of lines.</summary>
    void AddLines(ReadOnlySpan<byte> lines, int count);
}
