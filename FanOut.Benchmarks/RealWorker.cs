using System.Globalization;
using FanOut.LocalHost.Hosting;
using FanOut.LocalHost.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace FanOut.Benchmarks;

/// <summary>LocalHost's real worker, started from this process: the host's HTTP front (Kestrel, in this process,
/// on a loopback port it binds itself) with FanOut.Functions.dll behind it as its own process, over the
/// host-worker gRPC protocol; as FanOut.LocalHost runs it.</summary>
internal sealed class RealWorker(WebApplication front, int workerId, Uri url) : IAsyncDisposable
{
    /// <summary>Where the front listens.</summary>
    public Uri Url { get; } = url;

    /// <summary>The worker process's id.</summary>
    public int WorkerId { get; } = workerId;

    /// <summary>The front's services.</summary>
    public IServiceProvider Services => front.Services;

    /// <summary>Starts the front and waits until the worker is ready.</summary>
    /// <param name="appSettings">The worker's app settings (<c>FanOut:…</c> names).</param>
    /// <param name="configurePipeline">Middleware of the front, which runs before a request goes to the worker.</param>
    /// <param name="arguments">More of LocalHost's command-line arguments (e.g. <c>--instances 3</c>).</param>
    public static async Task<RealWorker> StartAsync(
        IReadOnlyDictionary<string, string?> appSettings, Action<WebApplication>? configurePipeline = null, IReadOnlyList<string>? arguments = null)
    {
        var app = WorkerHost.Build(
            ["--urls", "http://127.0.0.1:0", .. arguments ?? []],
            appSettings,
            // The host's log levels are handed to the worker too: both log warnings and worse, as the adapter does here.
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" }),
            configurePipeline);
        // The host lists its functions on stdout when the worker is ready, as func start does; the benchmark's
        // stdout is its report, so that goes to stderr.
        var stdout = Console.Out;
        Console.SetOut(Console.Error);
        try
        {
            await app.StartAsync();
            var workerId = await app.WorkerProcessIdAsync();
            return new RealWorker(app, workerId, new Uri(LocalPaths.CallableUrl(app.Urls.First()).TrimEnd('/') + "/"));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        finally
        {
            Console.SetOut(stdout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await front.StopAsync();
        await front.DisposeAsync();
    }
}

/// <summary>Memory of a live process, from /proc/{pid}/status.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set (VmHWM) in MiB.</summary>
    public static double PeakResidentMiB(int pid) => Field(pid, "VmHWM:");

    private static double Field(int pid, string name) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(name, StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
            .Single();
}
