using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using NCrontab;

namespace FanOut.LocalHost.Worker;

/// <summary>Runs the worker's timer-triggered functions on their schedules, as the Functions host does: the schedule is a
/// six-field NCRONTAB expression (seconds first), or <c>%name%</c> of the app setting that holds one, resolved from the
/// worker's settings; at each occurrence the function is invoked over the worker's channel with its TimerInfo as JSON,
/// and the next occurrence is counted from when that invocation ended (an invocation never overlaps the one before).
/// One runner serves the whole cluster, as Azure's singleton lock makes one host run a schedule: each occurrence is sent
/// once, to one instance (<paramref name="invoke"/> chooses); an occurrence whose instance dies is lost, as on Azure, and
/// the next one runs. Schedules are not monitored: <c>IsPastDue</c> is false and a missed occurrence is not made up.</summary>
/// <param name="invoke">Sends one occurrence's invocation of the timer function to an instance and waits for its answer.</param>
/// <param name="settings">The workers' settings, which a <c>%setting%</c> schedule is read from.</param>
/// <param name="timeProvider">The clock the schedules run on.</param>
/// <param name="logger">Where scheduling and failures are logged.</param>
internal sealed partial class TimerTriggers(
    Func<TimerFunction, InvocationRequest, CancellationToken, Task<StreamingMessage>> invoke, IConfiguration settings, TimeProvider timeProvider, ILogger logger)
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    /// <summary>Runs every function of <paramref name="timers"/> until <paramref name="stop"/> or the worker is gone.</summary>
    public Task RunAsync(IReadOnlyList<TimerFunction> timers, CancellationToken stop) =>
        Task.WhenAll(timers.Select(timer => ScheduleOf(timer) is { } schedule ? RunAsync(timer, schedule, stop) : Task.CompletedTask));

    /// <summary>The schedule of <paramref name="timer"/>, its <c>%setting%</c> resolved from <paramref name="configuration"/>;
    /// null, with the reason, when it names no setting or is no NCRONTAB expression.</summary>
    public static CrontabSchedule? Parse(TimerFunction timer, IConfiguration configuration, out string? why)
    {
        var expression = Resolve(timer, configuration);
        if (Setting().Match(expression) is { Success: true } unresolved)
        {
            why = $"its schedule names the app setting {unresolved.Groups["name"].Value}, which is not set";
            return null;
        }
        why = $"its schedule '{expression}' is not a six-field NCRONTAB expression (seconds first)";
        var schedule = CrontabSchedule.TryParse(expression, WithSeconds);
        why = schedule is null ? why : null;
        return schedule;
    }

    /// <summary>The schedule of <paramref name="timer"/> with each <c>%setting%</c> replaced by its value (one that is not
    /// set stays as it is).</summary>
    public static string Resolve(TimerFunction timer, IConfiguration configuration) =>
        Setting().Replace(timer.Schedule, match => configuration[match.Groups["name"].Value] ?? match.Value);

    /// <summary>The TimerInfo the Functions host sends as a timer trigger's input (the worker's TimerInfo, as JSON).</summary>
    public static string TimerInfoJson(DateTime last, DateTime next, DateTime updated) =>
        JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = last, Next = next, LastUpdated = updated },
            IsPastDue = false,
        });

    private CrontabSchedule? ScheduleOf(TimerFunction timer)
    {
        var schedule = Parse(timer, settings, out var why);
        if (schedule is null)
        {
            LogNotScheduled(logger, timer.Name, why!);
        }
        else
        {
            LogScheduled(logger, timer.Name, schedule.ToString());
        }
        return schedule;
    }

    private async Task RunAsync(TimerFunction timer, CrontabSchedule schedule, CancellationToken stop)
    {
        var last = timeProvider.GetUtcNow().UtcDateTime;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var now = timeProvider.GetUtcNow().UtcDateTime;
                var next = schedule.GetNextOccurrence(now);
                await Task.Delay(next - now, timeProvider, stop);
                var invocation = new InvocationRequest
                {
                    InvocationId = Guid.NewGuid().ToString(),
                    FunctionId = timer.Id,
                    TraceContext = new RpcTraceContext { TraceParent = HttpInvocation.NewTraceParent(), TraceState = "" },
                };
                var info = TimerInfoJson(last, schedule.GetNextOccurrence(next), timeProvider.GetUtcNow().UtcDateTime);
                invocation.InputData.Add(new ParameterBinding { Name = timer.TriggerName, Data = new TypedData { Json = info } });
                LogInvoking(logger, timer.Name, invocation.InvocationId, next);
                try
                {
                    var answer = await invoke(timer, invocation, stop);
                    if (answer.InvocationResponse?.Result?.Status != StatusResult.Types.Status.Success)
                    {
                        LogFailed(logger, timer.Name, invocation.InvocationId, answer.InvocationResponse?.Result?.Exception?.Message ?? "no result");
                    }
                }
                catch (WorkerUnavailableException)
                {
                    LogLost(logger, timer.Name, invocation.InvocationId);
                }
                last = next;
            }
        }
        catch (OperationCanceledException)
        {
            // The host stops.
        }
    }

    [GeneratedRegex("%(?<name>[^%]+)%")]
    private static partial Regex Setting();

    [LoggerMessage(Level = LogLevel.Information, Message = "Timer function {Function}: scheduled '{Schedule}'")]
    private static partial void LogScheduled(ILogger logger, string function, string schedule);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer function {Function} is not scheduled: {Reason}")]
    private static partial void LogNotScheduled(ILogger logger, string function, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Timer function {Function} (invocation {InvocationId}): its occurrence of {Occurrence:O}")]
    private static partial void LogInvoking(ILogger logger, string function, string invocationId, DateTime occurrence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer function {Function} (invocation {InvocationId}): the instance running it died; the next occurrence runs as scheduled.")]
    private static partial void LogLost(ILogger logger, string function, string invocationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer function {Function} (invocation {InvocationId}) failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string function, string invocationId, string reason);
}
