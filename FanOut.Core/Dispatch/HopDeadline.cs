using FanOut.Core.Configuration;
namespace FanOut.Core.Dispatch;

/// <summary>The time a dispatcher has. It stops sending and waiting a margin (5% of its budget, at least
/// half a second) before its caller stops waiting for it, so that its answer still arrives; a call it
/// makes gets what is left until then.</summary>
internal sealed class HopDeadline : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly TimeProvider _timeProvider;
    private readonly long _started;
    private readonly TimeSpan _usable;

    /// <summary>Starts the clock of a hop that may take <paramref name="budget"/>.</summary>
    public HopDeadline(TimeSpan budget, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _started = timeProvider.GetTimestamp();
        _usable = budget - DispatchOptions.HopMargin(budget);
        _stop = new CancellationTokenSource(_usable > TimeSpan.Zero ? _usable : TimeSpan.Zero, timeProvider);
    }

    /// <summary>Cancelled when the hop must stop sending and waiting.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Time left until then: the budget of a call the hop makes now.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = _usable - _timeProvider.GetElapsedTime(_started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>True once half the hop's time is gone: a walk that ends now with chunks left ran into its
    /// deadline, rather than ending early on failures.</summary>
    public bool IsHalfSpent => Remaining <= _usable / 2;

    /// <inheritdoc/>
    public void Dispose() => _stop.Dispose();
}
