using System.Globalization;
using System.Security.Cryptography;
using FanOut.Core.Configuration;
using FanOut.LocalHost.Cluster;
using Microsoft.Extensions.Configuration;

namespace FanOut.LocalHost.Worker;

/// <summary>What the Functions host gives a worker it launches: its arguments and its environment (the app settings and
/// the host's own variables), the same for every instance but the worker id.</summary>
internal static class WorkerEnvironment
{
    private const string WatchdogSchedule = "FanOut__Watchdog__Schedule";
    private const string PerInstanceConcurrency = "FanOut__Platform__PerInstanceConcurrency";
    private const string MaximumInstanceCount = "FanOut__Platform__MaximumInstanceCount";
    private const string SigningKey = "FanOut__SigningKey";

    /// <summary>The arguments the Functions host gives a worker (read by the worker as Functions:Worker:*); without the
    /// message length the worker's limit is 0 and it dies sending StartStream.</summary>
    public static IEnumerable<string> Arguments(string grpcUrl, string workerId) =>
    [
        "--functions-uri", grpcUrl.TrimEnd('/') + "/",
        "--functions-worker-id", workerId,
        "--functions-request-id", Guid.NewGuid().ToString(),
        "--functions-grpc-max-message-length", int.MaxValue.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>The worker's environment variables: the host's, the app settings over them, and a signing key made up for
    /// the cluster when none is set. Computed once: every instance gets the same.</summary>
    /// <param name="settings">The app's settings (local.settings.json Values and the caller's).</param>
    /// <param name="frontUrl">Where the front listens: the app's self URL unless configured.</param>
    /// <param name="hostConfiguration">The host's configuration (its log levels go to the worker).</param>
    /// <param name="cluster">The cluster's shape: the platform budget the app plans its jobs with.</param>
    public static Dictionary<string, string> Of(LocalHostSettings settings, string frontUrl, IConfiguration hostConfiguration, ClusterOptions cluster)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = settings.AppDirectory,
            ["FUNCTIONS_WORKER_DIRECTORY"] = settings.AppDirectory,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT") ?? "Development",
            // Locally the app's calls to itself go to where this host listens, unless configured otherwise; and one
            // process is the whole app, so it may sign its calls with a key it makes up (unless told otherwise).
            ["FanOut__SelfBaseUrl"] = frontUrl,
            ["FanOut__LocalDevelopment"] = "true",
            // The watchdog's timer reads its schedule from this app setting (%FanOut:Watchdog:Schedule%), which the
            // Functions host requires to be set (infra sets it in Azure): locally it has the app's default.
            [WatchdogSchedule] = WatchdogOptions.DefaultSchedule,
            // The platform's budget, as Flex's settings are the app's in Azure: the slots an instance really has and the
            // instances the cluster may run.
            [PerInstanceConcurrency] = cluster.SlotsPerInstance(settings.HostJson).ToString(CultureInfo.InvariantCulture),
            [MaximumInstanceCount] = cluster.MaxInstances.ToString(CultureInfo.InvariantCulture),
        };
        // The host's log levels are the worker's too, so the worker does not send what the host would drop.
        foreach (var level in hostConfiguration.GetSection("Logging:LogLevel").GetChildren())
        {
            environment[$"Logging__LogLevel__{level.Key}"] = level.Value ?? "";
        }
        foreach (var name in (string[])["FanOut__SelfBaseUrl", "FanOut__LocalDevelopment", WatchdogSchedule, PerInstanceConcurrency, MaximumInstanceCount])
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } given)
            {
                environment[name] = given;
            }
        }
        foreach (var (name, value) in settings.AppSettings)
        {
            environment[name] = value;
        }
        // Instances must share a signing key, as in Azure: one instance's internal calls go to another. A worker would
        // make one up for itself under LocalDevelopment, so the host makes up one for all of them.
        if (settings.Setting(SigningKey) is not { Length: > 0 })
        {
            environment[SigningKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        }
        return environment;
    }

    /// <summary>The configuration the worker reads: this process's environment, which it inherits, under what the host gives it.</summary>
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> environment) =>
        new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();
}
