using System.Text.Json;
using FanOut.LocalHost.Worker;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Configuration;

namespace FanOut.Tests.LocalHost;

/// <summary>LocalHost's timer triggers: what it reads from the worker's metadata, how it resolves and parses a schedule,
/// and the TimerInfo it sends (the end-to-end run is in WatchdogEndToEndTests).</summary>
public sealed class TimerTriggersTests
{
    private static readonly RpcFunctionMetadata Watchdog = Metadata("""{"name":"timer","direction":"In","type":"timerTrigger","schedule":"%FanOut:Watchdog:Schedule%","properties":{}}""");

    [Fact]
    public void FromMetadata_TimerTriggerBinding_IsATimerFunction_AndNoHttpFunction()
    {
        var timer = TimerFunction.FromMetadata(Watchdog);

        Assert.Equal(new TimerFunction("id-1", "Watchdog", "timer", "%FanOut:Watchdog:Schedule%"), timer);
        Assert.Null(WorkerFunction.FromMetadata(Watchdog, "api"));
    }

    [Fact]
    public void Parse_ScheduleNamingAnAppSetting_IsReadFromTheWorkersSettings_SecondsFirst()
    {
        var settings = Settings(("FanOut:Watchdog:Schedule", "*/2 * * * * *"));

        var schedule = TimerTriggers.Parse(TimerFunction.FromMetadata(Watchdog)!, settings, out var why);

        Assert.Null(why);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 2), schedule!.GetNextOccurrence(new DateTime(2026, 1, 1, 0, 0, 0)));
    }

    [Theory]
    [InlineData(null, "its schedule names the app setting FanOut:Watchdog:Schedule, which is not set")]
    [InlineData("*/5 * * * *", "its schedule '*/5 * * * *' is not a six-field NCRONTAB expression (seconds first)")]
    public void Parse_SettingMissingOrNotNcrontab_IsNotScheduled_AndSaysWhy(string? value, string expected)
    {
        var settings = value is null ? Settings() : Settings(("FanOut:Watchdog:Schedule", value));

        var schedule = TimerTriggers.Parse(TimerFunction.FromMetadata(Watchdog)!, settings, out var why);

        Assert.Null(schedule);
        Assert.Equal(expected, why);
    }

    [Fact]
    public void TimerInfoJson_ReadsAsTheWorkersTimerInfo()
    {
        var (last, next) = (new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 1, 1, 0, 1, 0, DateTimeKind.Utc));

        var info = JsonSerializer.Deserialize<TimerInfo>(TimerTriggers.TimerInfoJson(last, next, last.AddSeconds(1)))!;

        Assert.False(info.IsPastDue);
        Assert.Equal((last, next, last.AddSeconds(1)), (info.ScheduleStatus!.Last, info.ScheduleStatus.Next, info.ScheduleStatus.LastUpdated));
    }

    private static RpcFunctionMetadata Metadata(string binding)
    {
        var metadata = new RpcFunctionMetadata { FunctionId = "id-1", Name = "Watchdog" };
        metadata.RawBindings.Add(binding);
        return metadata;
    }

    private static IConfiguration Settings(params (string Name, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Name, (string?)v.Value))).Build();
}
