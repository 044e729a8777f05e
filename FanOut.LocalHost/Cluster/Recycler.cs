using Microsoft.Extensions.Logging;

namespace FanOut.LocalHost.Cluster;

/// <summary>Loses instances as the platform does (<c>--recycle-every</c>): at each interval a random ready instance's worker
/// is killed with SIGKILL, its invocations in flight with it; the pool replaces it as it replaces any lost instance.</summary>
internal sealed partial class Recycler(InstancePool pool, TimeSpan every, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Recycles until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(every, timeProvider, stop);
                var ready = pool.Instances.Where(i => i.State == InstanceState.Ready).ToList();
                if (ready.Count == 0)
                {
                    continue;
                }
                var victim = ready[Random.Shared.Next(ready.Count)];
                LogRecycling(logger, victim.Id, victim.Pid, timeProvider.GetUtcNow(), victim.Busy);
                victim.Process?.Kill();
            }
        }
        catch (OperationCanceledException)
        {
            // The host stops.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recycling instance {Id} (worker pid {Pid}) at {At:O}: SIGKILL, with {Busy} requests in flight on it.")]
    private static partial void LogRecycling(ILogger logger, int id, int pid, DateTimeOffset at, int busy);
}
