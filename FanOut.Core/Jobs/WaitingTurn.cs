namespace FanOut.Core.Jobs;

/// <summary>A caller's turn to wait for a job (<see cref="WaitingCallers.Enter"/>): how long it may wait; disposing it
/// lets the next caller wait.</summary>
internal sealed class WaitingTurn(int seconds, Action? leave) : IDisposable
{
    private Action? _leave = leave;

    /// <summary>No turn: the caller is answered at once.</summary>
    public static WaitingTurn None { get; } = new(0, null);

    /// <summary>How long the caller may wait, in seconds: 0 when it is answered at once.</summary>
    public int Seconds { get; } = seconds;

    /// <inheritdoc/>
    public void Dispose() => Interlocked.Exchange(ref _leave, null)?.Invoke();
}
