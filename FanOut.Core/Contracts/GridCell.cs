namespace FanOut.Core.Contracts;

/// <summary>One cell of the status page's grid: a range of chunks and how many of them are in each state.</summary>
internal sealed record GridCell(int First, int Count, int Succeeded, int Failed, int Pending, int Unreported);
