namespace FanOut.Tests.Support;

/// <summary>Holds the chunk calls that reach it until the test lets them through, a given number at a time or all from then
/// on (<see cref="InProcessSelfCaller.Gate"/>): chunks in flight for as long as a test needs, with no clock.</summary>
internal sealed class ChunkGate
{
    private readonly SemaphoreSlim _passes = new(0);
    private volatile bool _open;
    private int _waiting;

    /// <summary>Calls held now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for a pass (none once the gate is open).</summary>
    public async Task PassAsync()
    {
        if (_open)
        {
            return;
        }
        Interlocked.Increment(ref _waiting);
        try
        {
            await _passes.WaitAsync();
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Lets <paramref name="calls"/> held (or arriving) calls through.</summary>
    public void Let(int calls) => _passes.Release(calls);

    /// <summary>Lets every call through, now and from now on.</summary>
    public void Open()
    {
        _open = true;
        _passes.Release(100_000);
    }
}
