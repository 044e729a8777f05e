using FanOut.LocalHost.Worker;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FanOut.LocalHost.Cluster;

/// <summary>The cluster's one timer runner: each occurrence of a timer function goes to one ready instance, the one with
/// the fewest invocations running (as Azure's singleton lock lets one instance run it), waiting for one when none is ready.</summary>
internal sealed partial class ClusterTimers(SlotRouter router, IConfiguration workerSettings, TimeProvider timeProvider, ILogger logger)
{
    private static readonly TimeSpan ReadyRecheck = TimeSpan.FromMilliseconds(100);

    /// <summary>Runs <paramref name="timers"/> (as every instance's worker reports them) until <paramref name="stop"/>.</summary>
    public Task RunAsync(IReadOnlyList<TimerFunction> timers, CancellationToken stop) =>
        new TimerTriggers(InvokeAsync, workerSettings, timeProvider, logger).RunAsync(timers, stop);

    private async Task<StreamingMessage> InvokeAsync(TimerFunction timer, InvocationRequest invocation, CancellationToken stop)
    {
        var instance = router.Least();
        while (instance is null)
        {
            await Task.Delay(ReadyRecheck, timeProvider, stop);
            instance = router.Least();
        }
        LogRunsOn(logger, timer.Name, invocation.InvocationId, instance.Id, instance.Pid);
        return await instance.InvokeTimerAsync(timer.Name, invocation, stop);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Timer function {Function} (invocation {InvocationId}) runs on instance {Instance} (worker pid {Pid})")]
    private static partial void LogRunsOn(ILogger logger, string function, string invocationId, int instance, int pid);
}
