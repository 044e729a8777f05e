using System.Net;
using System.Text.Json;
using FanOut.Core.Readiness;
using FanOut.LocalHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FanOut.LocalHost.Worker;

/// <summary>The function app's worker, run as the Functions host runs it: a gRPC endpoint on a loopback port of
/// its own (HTTP/2 cleartext, no message size limit), the worker launched against it once the HTTP front knows
/// its address, then the handshake (StartStream, WorkerInitRequest, FunctionsMetadataRequest, one
/// FunctionLoadRequest per function). A worker that dies takes the host down with it, exit code 1, its last
/// lines logged; the host stopping sends WorkerTerminate and kills the worker after the grace period.</summary>
internal sealed partial class FunctionsWorker(
    WorkerChannel channel, LocalHostSettings settings, IServer front, IHostApplicationLifetime lifetime, ILoggerFactory loggers,
    IConfiguration configuration) : IHostedService
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StorageRecheck = TimeSpan.FromSeconds(1);
    private readonly ILogger _logger = loggers.CreateLogger("FanOut.LocalHost");
    private WebApplication? _grpc;
    private WorkerProcess? _process;
    private volatile IReadOnlyList<WorkerFunction>? _functions;
    private volatile bool _stopping;

    /// <summary>The functions the worker loaded; null until it is ready.</summary>
    public IReadOnlyList<WorkerFunction>? Functions => _functions;

    /// <summary>The worker's process id (0 before it starts).</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Completes when the worker serves requests (its functions are loaded), or failed to start. The ready line
    /// waits for the storage check too.</summary>
    public Task Ready => _ready.Task;

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _grpc = BuildGrpcServer();
        await _grpc.StartAsync(cancellationToken);
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(LaunchAsync));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _ready.TrySetCanceled(CancellationToken.None);
        if (_process is { } process && !process.Exited.IsCompleted)
        {
            channel.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(GracePeriod) } });
            if (await Task.WhenAny(process.Exited, Task.Delay(GracePeriod, CancellationToken.None)) != process.Exited)
            {
                LogKilledAfterGrace(_logger, process.Id, GracePeriod.TotalSeconds);
            }
            process.Dispose();
        }
        channel.Close();
        if (_grpc is not null)
        {
            await _grpc.StopAsync(CancellationToken.None);
            await _grpc.DisposeAsync();
        }
    }

    private WebApplication BuildGrpcServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc => (grpc.MaxReceiveMessageSize, grpc.MaxSendMessageSize) = (null, null));
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        return app;
    }

    private async Task LaunchAsync()
    {
        try
        {
            var frontUrl = FrontUrl();
            var grpcUrl = _grpc!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var workerLog = loggers.CreateLogger("FanOut.LocalHost.WorkerConsole");
            var environment = Environment(frontUrl);
            _process = WorkerProcess.Start(settings.AppDirectory, Arguments(grpcUrl), environment, line => LogWorkerLine(workerLog, line));
            _ = WatchAsync(_process);
            await channel.Connected.WaitAsync(StartTimeout);
            _functions = await HandshakeAsync();
            _ready.TrySetResult();
            await StorageWorksAsync(StorageReadiness.Create(WorkerConfiguration(environment), NullLoggerFactory.Instance), frontUrl);
            // On the console whatever the log levels, as func start lists its functions; the first line is what
            // LocalHostProcess waits for.
            Console.WriteLine(ReadyLine(frontUrl, _process.Id, _process.Dll));
            foreach (var function in _functions)
            {
                Console.WriteLine($"        {function.Name}: [{string.Join(",", function.Methods)}] {frontUrl.TrimEnd('/')}/{function.Route}");
            }
        }
        catch (Exception ex) when (!_stopping && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            LogStartFailed(_logger, ex.Message, channel.LastLogs.ToString(), _process?.LastLines.ToString() ?? "");
            _ready.TrySetException(ex);
            Fail();
        }
    }

    // The ready line waits for the storage setting to work: LocalHost tries the storage the worker's settings name with
    // the app's own check (Core's StorageReadiness, on the same settings), and says once on the console why it is not
    // ready. Meanwhile requests reach the worker, whose middleware answers them 503 problem+json naming the setting.
    private async Task StorageWorksAsync(StorageReadiness storage, string frontUrl)
    {
        string? said = null;
        while (await storage.CheckAsync(lifetime.ApplicationStopping) is { } refusal)
        {
            using var problem = JsonDocument.Parse(refusal.Body);
            var detail = problem.RootElement.GetProperty("detail").GetString() ?? "";
            if (detail != said)
            {
                Console.WriteLine(NotReadyLine(frontUrl, _process!.Id, _process.Dll, detail));
                said = detail;
            }
            // The check itself decides when the storage is tried again (every few seconds at most).
            await Task.Delay(StorageRecheck, lifetime.ApplicationStopping);
        }
    }

    // The configuration the worker reads: this process's environment, which it inherits, under what the host gives it.
    private static IConfiguration WorkerConfiguration(Dictionary<string, string> environment) =>
        new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();

    private async Task<IReadOnlyList<WorkerFunction>> HandshakeAsync()
    {
        var init = await channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = "4.0.0-fanout-localhost",
                WorkerDirectory = settings.AppDirectory,
                FunctionAppDirectory = settings.AppDirectory,
            },
        }).WaitAsync(StartTimeout);
        Check(init.WorkerInitResponse?.Result, "WorkerInitRequest");
        var metadata = await channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = settings.AppDirectory },
        }).WaitAsync(StartTimeout);
        Check(metadata.FunctionMetadataResponse?.Result, "FunctionsMetadataRequest");
        var functions = new List<WorkerFunction>();
        foreach (var function in metadata.FunctionMetadataResponse!.FunctionMetadataResults)
        {
            // One FunctionLoadRequest per function: the worker does not handle the batched collection.
            var loaded = await channel.RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
            }).WaitAsync(StartTimeout);
            Check(loaded.FunctionLoadResponse?.Result, $"FunctionLoadRequest ({function.Name})");
            if (WorkerFunction.FromMetadata(function, settings.HostJson.RoutePrefix) is { } http)
            {
                functions.Add(http);
            }
        }
        return functions;
    }

    private static void Check(StatusResult? result, string request)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {request}: {result?.Exception?.Message ?? result?.Result ?? "no answer"}");
        }
    }

    private async Task WatchAsync(WorkerProcess process)
    {
        var code = await process.Exited;
        channel.Close();
        if (!_stopping)
        {
            LogWorkerDied(_logger, process.Id, code, channel.LastLogs.ToString(), process.LastLines.ToString());
            Fail();
        }
    }

    private void Fail()
    {
        System.Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    private string FrontUrl() => LocalPaths.CallableUrl(front.Features.Get<IServerAddressesFeature>()!.Addresses.First());

    // The arguments the Functions host gives a worker (read by the worker as Functions:Worker:*); without the
    // message length the worker's limit is 0 and it dies sending StartStream.
    private IEnumerable<string> Arguments(string grpcUrl) =>
    [
        "--functions-uri", grpcUrl.TrimEnd('/') + "/",
        "--functions-worker-id", channel.WorkerId,
        "--functions-request-id", Guid.NewGuid().ToString(),
        "--functions-grpc-max-message-length", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];

    private Dictionary<string, string> Environment(string frontUrl)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = settings.AppDirectory,
            ["FUNCTIONS_WORKER_DIRECTORY"] = settings.AppDirectory,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = System.Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT") ?? "Development",
            // Locally the app's calls to itself go to where this host listens, unless configured otherwise; and one
            // process is the whole app, so it may sign its calls with a key it makes up (unless told otherwise).
            ["FanOut__SelfBaseUrl"] = frontUrl,
            ["FanOut__LocalDevelopment"] = "true",
        };
        // The host's log levels are the worker's too, so the worker does not send what the host would drop.
        foreach (var level in configuration.GetSection("Logging:LogLevel").GetChildren())
        {
            environment[$"Logging__LogLevel__{level.Key}"] = level.Value ?? "";
        }
        foreach (var name in (string[])["FanOut__SelfBaseUrl", "FanOut__LocalDevelopment"])
        {
            if (System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } given)
            {
                environment[name] = given;
            }
        }
        foreach (var (name, value) in settings.AppSettings)
        {
            environment[name] = value;
        }
        return environment;
    }

    private static void LogWorkerLine(ILogger logger, string line)
    {
        // The worker's console carries its start-up notice and anything written before logging is wired up;
        // its logs arrive as RpcLog messages.
        if (line.Length > 0)
        {
            LogWorkerConsole(logger, line);
        }
    }

    /// <summary>The line the host prints when its worker is ready.</summary>
    public static string ReadyLine(string url, int pid, string dll) => $"FanOut.LocalHost ready: {url} (worker pid {pid}: {dll})";

    /// <summary>The line the host prints when its worker serves but the storage check fails: why it is not ready.</summary>
    public static string NotReadyLine(string url, int pid, string dll, string why) => $"FanOut.LocalHost not ready: {url} (worker pid {pid}: {dll}): {why}";

    [LoggerMessage(Level = LogLevel.Critical, Message = "The worker did not start: {Reason}.\nIts last logs:\n{Logs}\nIts last console lines:\n{Lines}")]
    private static partial void LogStartFailed(ILogger logger, string reason, string logs, string lines);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The worker (pid {Pid}) exited with code {Code}; the host stops.\nIts last logs:\n{Logs}\nIts last console lines:\n{Lines}")]
    private static partial void LogWorkerDied(ILogger logger, int pid, int code, string logs, string lines);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The worker (pid {Pid}) did not stop within {Seconds} s of WorkerTerminate: killed.")]
    private static partial void LogKilledAfterGrace(ILogger logger, int pid, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Line}")]
    private static partial void LogWorkerConsole(ILogger logger, string line);
}
