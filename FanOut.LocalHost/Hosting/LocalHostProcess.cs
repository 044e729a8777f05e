using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FanOut.LocalHost.Hosting;

/// <summary>FanOut.LocalHost started as a separate process (the demo's host, the benchmark's, and the tests' when
/// they need to kill one), from the folder this assembly was loaded from, on a loopback port it binds itself
/// (port 0) and reports; it runs the function app's real worker as its own child process. Killed when disposed.</summary>
public sealed partial class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private int _disposed;

    private LocalHostProcess(Process process, Uri url, int workerId, string workerDll, string? notReady)
    {
        _process = process;
        Url = url;
        WorkerId = workerId;
        WorkerDll = workerDll;
        NotReady = notReady;
    }

    /// <summary>Where it listens.</summary>
    public Uri Url { get; }

    /// <summary>Its process id.</summary>
    public int Id => _process.Id;

    /// <summary>The process id of the worker behind it (FanOut.Functions.dll; the first instance's, of a cluster).</summary>
    public int WorkerId { get; }

    /// <summary>The app dll its worker runs.</summary>
    public string WorkerDll { get; }

    /// <summary>Why it said it is not ready (its storage check fails), when it was started without waiting for ready;
    /// null when it said it is ready.</summary>
    public string? NotReady { get; }

    /// <summary>Completes with its exit code when it exits.</summary>
    public Task<int> Exited => _exited.Task;

    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts it on a free loopback port and waits until its worker is ready.</summary>
    /// <param name="logPath">Where its console output goes.</param>
    /// <param name="environment">Its settings, as environment variables (<c>FanOut__…</c>).</param>
    /// <param name="orNotReady">Also returns when it says it is not ready (its worker serves, but the storage setting does
    /// not work: <see cref="NotReady"/> says why); otherwise that waits on, for a storage that may come.</param>
    /// <param name="arguments">More of its command line: the cluster's flags (<c>--instances 3</c>, <c>--recycle-every 5s</c> …).</param>
    public static async Task<LocalHostProcess> StartAsync(
        string logPath, IDictionary<string, string> environment, bool orNotReady = false, IEnumerable<string>? arguments = null)
    {
        var directory = Path.GetDirectoryName(typeof(LocalHostProcess).Assembly.Location)!;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(directory, "FanOut.LocalHost.dll"), "--urls", "http://127.0.0.1:0", .. arguments ?? []])
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
        var ready = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? notReady = null;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        void Line(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }
            lock (log)
            {
                log.WriteLine(e.Data);
            }
            if (ReadyLine().Match(e.Data) is { Success: true } match)
            {
                ready.TrySetResult(match);
            }
            else if (NotReadyLine().Match(e.Data) is { Success: true } not)
            {
                Volatile.Write(ref notReady, not.Groups["why"].Value);
                if (orNotReady)
                {
                    ready.TrySetResult(not);
                }
            }
        }
        process.OutputDataReceived += Line;
        process.ErrorDataReceived += Line;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(90))) != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var why = Volatile.Read(ref notReady) is { } said ? $"; it said it is not ready: {said}" : "";
            throw new InvalidOperationException($"FanOut.LocalHost did not start (exit: {(process.HasExited ? process.ExitCode : "still running")}){why}; see {logPath}");
        }
        var found = ready.Task.Result;
        var host = new LocalHostProcess(process, new Uri(found.Groups["url"].Value.TrimEnd('/') + "/"), int.Parse(found.Groups["pid"].Value), found.Groups["dll"].Value,
            found.Groups["why"].Success ? found.Groups["why"].Value : null);
        _ = exited.ContinueWith(_ => host._exited.TrySetResult(process.ExitCode), TaskScheduler.Default);
        return host;
    }

    /// <summary>Kills it (SIGKILL, no shutdown), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Kills its worker (SIGKILL), as a crash of the worker would.</summary>
    public void KillWorker()
    {
        using var worker = Process.GetProcessById(WorkerId);
        worker.Kill();
    }

    /// <summary>Kills it, once: a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^FanOut\.LocalHost ready: (?<url>\S+) \(worker pid (?<pid>\d+): (?<dll>.+)\)$")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^FanOut\.LocalHost not ready: (?<url>\S+) \(worker pid (?<pid>\d+): (?<dll>.+?)\): (?<why>.+)$")]
    private static partial Regex NotReadyLine();
}
