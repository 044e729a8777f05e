using System.Diagnostics;

namespace FanOut.LocalHost.Hosting;

/// <summary>Azurite's blob service (the npm package the repository pins, from node_modules), run by the Node.js
/// the repository pins (<see cref="NodeTools.NodePathAsync"/>: Azurite needs 22 or later, whatever the machine has),
/// as a child process on a loopback port with its own data folder, for the demo, the tests and the benchmark. It can
/// be stopped and started again on the same port and data, as a storage outage would.</summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's well-known development account (public, documented, not a secret).
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _location;
    private readonly bool _inMemory;
    private Process? _process;

    private AzuriteProcess(string location, bool inMemory, StorageRequests? requests)
    {
        _location = location;
        _inMemory = inMemory;
        Requests = requests;
    }

    /// <summary>The requests it answered, by kind, when it was started to count them; else null.</summary>
    public StorageRequests? Requests { get; }

    /// <summary>The connection string of its development account.</summary>
    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        $"AccountKey={DevAccountKey};BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    /// <summary>Its loopback port: the one it bound (port 0) when it first started, and again after a restart.</summary>
    public int Port { get; private set; }

    /// <summary>The id of its process (the Node.js running Azurite), while it runs.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Azurite is not running.");

    /// <summary>Starts Azurite on a loopback port it binds itself, with a new, temporary data folder.</summary>
    /// <param name="inMemory">Keeps everything in memory, nothing on disk: much faster with many blobs
    /// (Azurite's database, saved whole every few seconds, grows with them), but a restart loses them.</param>
    /// <param name="countRequests">Counts every request it answers (<see cref="Requests"/>), from its access log.</param>
    public static async Task<AzuriteProcess> StartAsync(bool inMemory = false, bool countRequests = false)
    {
        var server = new AzuriteProcess(Directory.CreateTempSubdirectory("fanout-azurite-").FullName, inMemory, countRequests ? new StorageRequests() : null);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the (stopped) service again on the same port, with the same data.</summary>
    public async Task StartAgainAsync()
    {
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The pinned Node.js runs Azurite's script itself: the script's `#!/usr/bin/env node` would take the
        // machine's, which may be older than Azurite supports.
        var node = await NodeTools.NodePathAsync();
        var azurite = await NodeTools.PathOfAsync("azurite-blob");
        // Port 0 the first time: it binds a free port and says which; a restart takes the same port again.
        // Azurite's extent garbage collection is pushed out to once a day (build/azurite-preload.js): a pass every 10 minutes
        // stops every request for as long as it takes, 89 s at 40,000 blobs (docs/BENCHMARKS.md, issue 23).
        string[] arguments = ["--require", Path.Combine(LocalPaths.RepositoryRoot(), "build", "azurite-preload.js"), azurite, "--skipApiVersionCheck", "--disableTelemetry", "--blobHost", "127.0.0.1", "--blobPort", Port.ToString()];
        // --silent turns its access log off, unless the requests are counted.
        arguments = Requests is null ? [.. arguments, "--silent"] : arguments;
        var start = new ProcessStartInfo(node, _inMemory ? [.. arguments, "--inMemoryPersistence"] : [.. arguments, "--location", _location])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start)!;
        // "Azurite Blob service successfully listens on http://127.0.0.1:PORT": the port it bound.
        _process.OutputDataReceived += (_, e) =>
        {
            if (Requests is not null && e.Data is { } line)
            {
                Requests.Count(line);
            }
            if (e.Data?.LastIndexOf("listens on http://", StringComparison.Ordinal) is >= 0 && int.TryParse(e.Data[(e.Data.LastIndexOf(':') + 1)..], out var port))
            {
                listening.TrySetResult(port);
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var exited = _process.WaitForExitAsync();
        if (await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(30))) != listening.Task)
        {
            throw new InvalidOperationException($"Azurite did not start (exit: {(_process.HasExited ? _process.ExitCode : "still running")}).");
        }
        Port = listening.Task.Result;
    }

    /// <summary>Stops the service as an operator would (SIGTERM: Azurite saves its data and exits).</summary>
    public async Task StopAsync()
    {
        if (_process is null or { HasExited: true })
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
        }
        // Azurite stops taking requests at once but exits only when its open connections close: requests in
        // flight hang until the clients give up (the app's storage network timeout is 10 s). Telemetry, left
        // on, would keep it alive for minutes on a machine without internet: it is started with it off.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
        _process = null;
    }

    /// <summary>Stops it, deletes its data and starts it again, empty, on the same port.</summary>
    public async Task RestartEmptyAsync()
    {
        await StopAsync();
        Directory.Delete(_location, recursive: true);
        Directory.CreateDirectory(_location);
        await StartAgainAsync();
    }

    /// <summary>Kills it and deletes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}
