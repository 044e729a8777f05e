using System.Diagnostics;
using System.Net.Sockets;

namespace FanOut.Tests.Support;

/// <summary>A real Azurite blob service (the npm package the repository pins), as a child process on a
/// free loopback port with its own data folder. It can be stopped and started again on the same port and
/// data, as a storage outage would. Set FANOUT_TEST_STORAGE to a connection string to use a running
/// storage instead (then Stop/Start are not available).</summary>
internal sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's well-known development account (public, documented, not a secret).
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _location;
    private Process? _process;

    private AzuriteServer(string connectionString, int port, string? location)
    {
        ConnectionString = connectionString;
        Port = port;
        _location = location;
    }

    public string ConnectionString { get; }

    public int Port { get; }

    public static async Task<AzuriteServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("FANOUT_TEST_STORAGE") is { Length: > 0 } given)
        {
            return new AzuriteServer(given, 0, null);
        }
        var port = FreePort.Next();
        var location = Directory.CreateTempSubdirectory("fanout-azurite-").FullName;
        var connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
                         $"AccountKey={DevAccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var server = new AzuriteServer(connection, port, location);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the (stopped) service again on the same port, with the same data.</summary>
    public async Task StartAgainAsync()
    {
        var azurite = Path.Combine(RepositoryRoot(), "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"{azurite} is missing: run `npm ci` in the repository root (the README says so, and .ci/run does).");
        }
        var start = new ProcessStartInfo(azurite,
            ["--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", _location!, "--blobHost", "127.0.0.1", "--blobPort", Port.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (!await AcceptsAsync())
        {
            if (_process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"Azurite did not start on port {Port} (exit: {(_process.HasExited ? _process.ExitCode : "still running")}).");
            }
            await Task.Delay(50);
        }
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

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        if (_location is not null)
        {
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

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FanOutFunctions.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (FanOutFunctions.sln) was not found above " + AppContext.BaseDirectory);
    }

    private async Task<bool> AcceptsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
