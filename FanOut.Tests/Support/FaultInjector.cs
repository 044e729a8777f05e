using System.Collections.Concurrent;

namespace FanOut.Tests.Support;

/// <summary>Decides which process_chunk requests a test host breaks: each with the given probability
/// (seeded), at most <c>maxPerChunk</c> times per chunk so every chunk can still succeed, taking the
/// kinds of fault in turn.</summary>
internal sealed class FaultInjector(double probability, int seed, int maxPerChunk = 2)
{
    private readonly Random _random = new(seed);
    private readonly ConcurrentDictionary<int, int> _perChunk = new();
    private readonly int[] _byKind = new int[Enum.GetValues<ChunkFault>().Length];
    private int _injected;

    public int Injected => Volatile.Read(ref _injected);

    public int Count(ChunkFault kind) => Volatile.Read(ref _byKind[(int)kind]);

    public ChunkFault Decide(int chunk)
    {
        bool hit;
        lock (_random)
        {
            hit = _random.NextDouble() < probability;
        }
        if (!hit || _perChunk.AddOrUpdate(chunk, 1, (_, n) => n + 1) > maxPerChunk)
        {
            return ChunkFault.None;
        }
        var kind = (ChunkFault)(1 + (Interlocked.Increment(ref _injected) - 1) % 3);
        Interlocked.Increment(ref _byKind[(int)kind]);
        return kind;
    }
}

internal enum ChunkFault
{
    None,
    /// <summary>Answered 503 without processing.</summary>
    Unavailable,
    /// <summary>Connection cut before the chunk is processed.</summary>
    CutBeforeProcessing,
    /// <summary>Chunk processed, then the connection cut before the answer is sent.</summary>
    CutAfterProcessing,
}
