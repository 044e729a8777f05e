using FanOut.Core.Watchdog;
using Microsoft.Azure.Functions.Worker;

namespace FanOut.Functions;

/// <summary>The watchdog: on the schedule of the <c>FanOut:Watchdog:Schedule</c> app setting (every minute by default),
/// resumes the jobs whose run died (<see cref="JobWatchdog"/>). The host runs a timer trigger on one instance at a time.</summary>
public sealed class WatchdogFunction(JobWatchdog watchdog)
{
    /// <summary>The app setting the schedule is read from, as the host resolves a %name% binding expression.</summary>
    public const string ScheduleSetting = "%FanOut:Watchdog:Schedule%";

    [Function(nameof(Watchdog))]
    public Task Watchdog([TimerTrigger(ScheduleSetting)] TimerInfo timer, FunctionContext context) =>
        watchdog.RunPassAsync(context.CancellationToken);
}
