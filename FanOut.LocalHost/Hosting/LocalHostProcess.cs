using System.Diagnostics;
using System.Net.Sockets;

namespace FanOut.LocalHost.Hosting;

/// <summary>FanOut.LocalHost started as a separate process (the demo's host, and the tests' when they
/// need to kill one), from the folder this assembly was loaded from; killed when disposed.</summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private LocalHostProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>Where it listens.</summary>
    public Uri Url { get; }

    /// <summary>Its process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts it on a loopback port and waits until it accepts connections.</summary>
    /// <param name="port">The loopback port.</param>
    /// <param name="logPath">Where its console output goes.</param>
    /// <param name="environment">Its settings, as environment variables (<c>FanOut__…</c>).</param>
    public static async Task<LocalHostProcess> StartAsync(int port, string logPath, IDictionary<string, string> environment)
    {
        var url = new Uri($"http://127.0.0.1:{port}");
        var directory = Path.GetDirectoryName(typeof(LocalHostProcess).Assembly.Location)!;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(directory, "FanOut.LocalHost.dll"), "--urls", url.ToString().TrimEnd('/')])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start FanOut.LocalHost");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new LocalHostProcess(process, url);
        var deadline = Stopwatch.StartNew();
        while (!await host.AcceptsConnectionsAsync())
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                await host.DisposeAsync();
                throw new InvalidOperationException($"FanOut.LocalHost did not start; see {logPath}");
            }
            await Task.Delay(100);
        }
        return host;
    }

    /// <summary>Kills it (SIGKILL, no shutdown), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Url.Host, Url.Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
