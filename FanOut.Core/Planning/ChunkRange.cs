namespace FanOut.Core.Planning;

/// <summary>One chunk of a job: its index and the items it covers, <c>[Start, Start + Count)</c>.</summary>
internal readonly record struct ChunkRange(int Index, int Start, int Count);
