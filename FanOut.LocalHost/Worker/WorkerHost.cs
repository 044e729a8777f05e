using FanOut.LocalHost.Cluster;
using FanOut.LocalHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FanOut.LocalHost.Worker;

/// <summary>Builds the local Functions host: Kestrel in front (HTTP), and behind it a cluster of instances, each the
/// function app's real worker (<see cref="InstancePool"/>), as <c>func start</c> runs an app and Flex Consumption
/// scales it.</summary>
public static class WorkerHost
{
    /// <summary>The largest request body the host takes, as Azure's front end (100 MB); larger is 413.</summary>
    public const long MaxRequestBodyBytes = 100 * 1024 * 1024;

    /// <summary>Builds the host (not started).</summary>
    /// <param name="args">Command-line arguments: <c>--urls</c> (port 0 binds a free port), <c>--app</c> (the
    /// function app's build output), and the cluster's (<see cref="ClusterOptions.From"/>): <c>--instances</c>,
    /// <c>--max-instances</c>, <c>--per-instance-concurrency</c>, <c>--recycle-every</c>.</param>
    /// <param name="appSettings">App settings for the worker (<c>FanOut__…</c> or <c>FanOut:…</c> names), over
    /// local.settings.json's Values.</param>
    /// <param name="configureBuilder">Extra configuration or services of the host, before it is built (tests).</param>
    /// <param name="configurePipeline">Extra middleware before the functions (tests' fault injectors).</param>
    /// <param name="hostJson">host.json settings instead of the app's host.json (tests of the throttles).</param>
    public static WebApplication Build(
        string[] args,
        IReadOnlyDictionary<string, string?>? appSettings = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configurePipeline = null,
        HostJson? hostJson = null)
    {
        // Its appsettings.json (log levels) is found wherever it is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(InProcessHost.DefaultUrl);
        }
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        var appDirectory = AppDirectory(builder.Configuration["app"]);
        var settings = new LocalHostSettings(appDirectory, hostJson ?? HostJson.Load(appDirectory), Merge(LocalSettings.Load(appDirectory), appSettings));
        builder.Services.AddSingleton(settings);
        builder.AddHostTelemetry(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => ClusterOptions.From(services.GetRequiredService<IConfiguration>()));
        builder.Services.AddSingleton(services =>
        {
            var cluster = services.GetRequiredService<ClusterOptions>();
            return new SlotRouter(
                () => cluster.QueueCapacity(settings.HostJson, services.GetRequiredService<InstancePool>().Instances.Count),
                cluster.QueueTimeout, services.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<InstancePool>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InstancePool>());
        builder.Services.AddSingleton<FunctionsFront>();
        builder.Services.AddSingleton<InstancesEndpoint>();
        configureBuilder?.Invoke(builder);

        var app = builder.Build();
        // Flags that make no cluster fail here, before anything starts.
        _ = app.Services.GetRequiredService<ClusterOptions>();
        configurePipeline?.Invoke(app);
        app.Map(InstancesEndpoint.Path, admin => admin.Run(app.Services.GetRequiredService<InstancesEndpoint>().InvokeAsync));
        app.Run(app.Services.GetRequiredService<FunctionsFront>().InvokeAsync);
        return app;
    }

    /// <summary>The pid of the (first) worker process behind a started host, once its instances are ready.</summary>
    public static async Task<int> WorkerProcessIdAsync(this WebApplication host)
    {
        var pool = host.Services.GetRequiredService<InstancePool>();
        await pool.Ready;
        return pool.FirstProcessId;
    }

    private static Dictionary<string, string> Merge(Dictionary<string, string> local, IReadOnlyDictionary<string, string?>? given)
    {
        foreach (var (name, value) in given ?? new Dictionary<string, string?>())
        {
            if (value is not null)
            {
                local[name.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }
        return local;
    }

    // --app, else the FanOut.Functions build output this host was built with (functions-app.path, written at build).
    private static string AppDirectory(string? given)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return Path.GetFullPath(given);
        }
        var path = Path.Combine(AppContext.BaseDirectory, "functions-app.path");
        return File.Exists(path)
            ? File.ReadAllText(path).Trim()
            : throw new FileNotFoundException($"{path} is missing: build FanOut.LocalHost with its FanOut.Functions reference, or pass --app <folder>.", path);
    }
}
