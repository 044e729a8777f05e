using System.Diagnostics;
using System.Text.Json;

namespace FanOut.LocalHost.Worker;

/// <summary>The function app's worker as a child process, launched as <c>worker.config.json</c> says (for a .NET
/// isolated app, <c>dotnet FanOut.Functions.dll</c>) with the host's arguments and the app settings as its
/// environment. It cannot outlive the host: on Linux it is started through <c>setpriv --pdeathsig KILL</c>, so
/// the kernel kills it when the host dies, even by SIGKILL.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process, string dll)
    {
        _process = process;
        Id = process.Id;
        Dll = dll;
    }

    /// <summary>The worker's process id (still known once it exited).</summary>
    public int Id { get; }

    /// <summary>The full path of the app dll the worker runs.</summary>
    public string Dll { get; }

    /// <summary>Completes with the exit code when the worker exits.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The last lines the worker wrote to its console.</summary>
    public RecentLines LastLines { get; } = new();

    /// <summary>Starts the worker of the app in <paramref name="appDirectory"/>.</summary>
    /// <param name="appDirectory">The function app's build output (worker.config.json, the app dll).</param>
    /// <param name="arguments">The host's arguments (<c>--functions-uri</c> …).</param>
    /// <param name="environment">App settings and the host's variables, set on top of the host's own environment.</param>
    /// <param name="onLine">Called with each line the worker writes to its console.</param>
    public static WorkerProcess Start(string appDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, Action<string> onLine)
    {
        var (executable, dll) = ReadWorkerConfig(appDirectory);
        var command = new List<string>();
        if (OperatingSystem.IsLinux() && File.Exists("/usr/bin/setpriv"))
        {
            command.AddRange(["/usr/bin/setpriv", "--pdeathsig", "KILL", "--"]);
        }
        command.Add(executable);
        command.Add(dll);
        command.AddRange(arguments);
        var start = new ProcessStartInfo(command[0], command.Skip(1))
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        // The kernel sends PDEATHSIG when the *thread* that forked the child ends, so the child is forked by a
        // thread that lives exactly as long as the worker (a pool thread may retire and take the worker with it).
        var started = new TaskCompletionSource<WorkerProcess>();
        var thread = new Thread(() =>
        {
            WorkerProcess worker;
            try
            {
                worker = new WorkerProcess(Process.Start(start)!, dll);
            }
            catch (Exception ex)
            {
                started.SetException(ex);
                return;
            }
            worker.Attach(onLine);
            started.SetResult(worker);
            worker._process.WaitForExit();
            worker._exited.TrySetResult(worker._process.ExitCode);
        })
        { IsBackground = true, Name = "FanOut worker parent" };
        thread.Start();
        return started.Task.GetAwaiter().GetResult();
    }

    private void Attach(Action<string> onLine)
    {
        void Line(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }
            LastLines.Add(e.Data);
            onLine(e.Data);
        }
        _process.OutputDataReceived += Line;
        _process.ErrorDataReceived += Line;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Kills the worker (SIGKILL) if it still runs.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    // worker.config.json's description: defaultExecutablePath ("dotnet") and defaultWorkerPath (the app dll).
    private static (string Executable, string Dll) ReadWorkerConfig(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "worker.config.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: is {appDirectory} a built .NET isolated function app?", path);
        }
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var description = config.RootElement.GetProperty("description");
        var executable = description.TryGetProperty("defaultExecutablePath", out var e) && e.GetString() is { Length: > 0 } x ? x : "dotnet";
        var worker = description.GetProperty("defaultWorkerPath").GetString()!;
        return (executable, Path.GetFullPath(Path.Combine(appDirectory, worker)));
    }
}
