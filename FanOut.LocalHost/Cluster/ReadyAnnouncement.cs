using System.Text.Json;
using FanOut.Core.Readiness;
using FanOut.LocalHost.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace FanOut.LocalHost.Cluster;

/// <summary>The lines LocalHost prints on its console when the cluster serves (whatever the log levels, as func start
/// lists its functions): the ready line once every instance it starts with is ready, no secret setting is an unresolved
/// Key Vault reference and the storage works; else why not. LocalHostProcess waits for the first line.</summary>
internal static class ReadyAnnouncement
{
    private static readonly TimeSpan StorageRecheck = TimeSpan.FromSeconds(1);

    /// <summary>The line the host prints when it is ready (the pid is the first instance's worker).</summary>
    public static string ReadyLine(string url, int pid, string dll) => $"FanOut.LocalHost ready: {url} (worker pid {pid}: {dll})";

    /// <summary>The line the host prints when its workers serve but the storage check fails: why it is not ready.</summary>
    public static string NotReadyLine(string url, int pid, string dll, string why) => $"FanOut.LocalHost not ready: {url} (worker pid {pid}: {dll}): {why}";

    /// <summary>Waits until the storage the workers' settings name works (Core's StorageReadiness, on the same settings),
    /// saying once on the console why it does not (meanwhile the workers' middleware answers 503 naming the setting);
    /// then prints the ready line, the instances, the functions and the timers.</summary>
    public static async Task AnnounceAsync(
        IReadOnlyList<Instance> instances, string frontUrl, Dictionary<string, string> environment, ClusterOptions cluster, CancellationToken stopping)
    {
        var first = instances[0];
        var dll = first.Process!.Dll;
        var workerSettings = WorkerEnvironment.Configuration(environment);
        // A secret setting that is an unresolved Key Vault reference stays so until the host is started again with other
        // settings: said once, and the host never says it is ready (the workers answer 503 naming the setting).
        if (SecretReadiness.Create(workerSettings, NullLoggerFactory.Instance).Refusal is { } unresolved)
        {
            Console.WriteLine(NotReadyLine(frontUrl, first.Pid, dll, Detail(unresolved)));
            return;
        }
        var storage = StorageReadiness.Create(workerSettings, NullLoggerFactory.Instance);
        string? said = null;
        while (await storage.CheckAsync(stopping) is { } refusal)
        {
            var detail = Detail(refusal);
            if (detail != said)
            {
                Console.WriteLine(NotReadyLine(frontUrl, first.Pid, dll, detail));
                said = detail;
            }
            // The check itself decides when the storage is tried again (every few seconds at most).
            await Task.Delay(StorageRecheck, stopping);
        }
        Console.WriteLine(ReadyLine(frontUrl, first.Pid, dll));
        if (instances.Count > 1 || cluster.MaxInstances > 1)
        {
            var most = cluster.MaxInstances > cluster.Instances ? $", up to {cluster.MaxInstances} under load" : "";
            Console.WriteLine($"        instances: {string.Join(", ", instances.Select(i => $"{i.Id} (worker pid {i.Pid})"))}{most}; {instances[0].Slots} invocations at once each; {frontUrl.TrimEnd('/')}/admin/instances");
        }
        foreach (var function in first.Functions)
        {
            Console.WriteLine($"        {function.Name}: [{string.Join(",", function.Methods)}] {frontUrl.TrimEnd('/')}/{function.Route}");
        }
        foreach (var timer in first.Timers)
        {
            Console.WriteLine($"        {timer.Name}: timerTrigger '{TimerTriggers.Resolve(timer, workerSettings)}'");
        }
    }

    private static string Detail(FanOut.Core.Http.BatchReply refusal)
    {
        using var problem = JsonDocument.Parse(refusal.Body);
        return problem.RootElement.GetProperty("detail").GetString() ?? "";
    }
}
