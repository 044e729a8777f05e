using Microsoft.Extensions.Logging;

namespace FanOut.LocalHost.Cluster;

/// <summary>Scales the cluster between <see cref="ClusterOptions.Instances"/> and <see cref="ClusterOptions.MaxInstances"/>,
/// as Flex's scale controller does for HTTP load: while requests wait in the front's queue and every ready instance's slots
/// are taken, one more instance starts (one at a time, each with its real start-up time before it takes work); an instance
/// that ran nothing for <see cref="ClusterOptions.IdleTimeout"/> is removed, never below the minimum.</summary>
internal sealed partial class InstanceScaler(InstancePool pool, SlotRouter router, ClusterOptions cluster, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>How often the load is looked at.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>Scales until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(CheckEvery, timeProvider, stop);
                var instances = pool.Instances;
                var ready = instances.Where(i => i.State == InstanceState.Ready).ToList();
                if (router.Waiting > 0 && instances.Count < cluster.MaxInstances && ready.All(i => i.Busy >= i.Slots)
                    && !instances.Any(i => i.State == InstanceState.Starting))
                {
                    LogScalingOut(logger, router.Waiting, instances.Count + 1, cluster.MaxInstances);
                    var added = await pool.AddAsync();
                    LogScaledOut(logger, added.Id, added.Pid, pool.Instances.Count);
                }
                else if (ready.Count > cluster.Instances && ready.OrderByDescending(i => i.Id).FirstOrDefault(i => i.IdleFor(cluster.IdleTimeout)) is { } idle)
                {
                    LogScalingIn(logger, idle.Id, idle.Pid, cluster.IdleTimeout.TotalSeconds);
                    await pool.RemoveAsync(idle);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The host stops.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Waiting} requests wait and every instance is busy: starting instance {Count} of at most {Max}.")]
    private static partial void LogScalingOut(ILogger logger, int waiting, int count, int max);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Id} (worker pid {Pid}) was added: {Count} instances.")]
    private static partial void LogScaledOut(ILogger logger, int id, int pid, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Id} (worker pid {Pid}) ran nothing for {Seconds} s: removed.")]
    private static partial void LogScalingIn(ILogger logger, int id, int pid, double seconds);
}
