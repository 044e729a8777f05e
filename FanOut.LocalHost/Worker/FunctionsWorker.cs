using System.Net;
using System.Text.Json;
using FanOut.Core.Configuration;
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
/// FunctionLoadRequest per function); then its timer-triggered functions run on their schedules (<see cref="TimerTriggers"/>).
/// A worker that dies once it served is replaced, as the platform replaces a lost instance: its death is logged (which,
/// when, its last lines), requests are answered 503 until a new worker (with a channel and worker id of its own) is ready.
/// A worker that dies before it is ready takes the host down with it, exit code 1, its last lines logged (no crash
/// loop); the host stopping sends WorkerTerminate and kills the worker after the grace period.</summary>
internal sealed partial class FunctionsWorker(
    LocalHostSettings settings, IServer front, IHostApplicationLifetime lifetime, ILoggerFactory loggers,
    IConfiguration configuration, TimeProvider? timeProvider = null) : IHostedService
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StorageRecheck = TimeSpan.FromSeconds(1);
    private const string WatchdogSchedule = "FanOut__Watchdog__Schedule";
    private readonly ILogger _logger = loggers.CreateLogger("FanOut.LocalHost");
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private WebApplication? _grpc;
    private volatile WorkerProcess? _process;
    private volatile WorkerChannel _channel = new(loggers);
    private volatile IReadOnlyList<WorkerFunction>? _functions;
    private volatile bool _stopping;
    private CancellationTokenSource? _timers;
    private volatile WorkerProcess? _serving;

    /// <summary>The HTTP functions the worker loaded; null while no worker is ready (before the first, and between a
    /// worker's death and its replacement's handshake).</summary>
    public IReadOnlyList<WorkerFunction>? Functions => _functions;

    /// <summary>The channel to the current worker (a replaced worker's is closed).</summary>
    public WorkerChannel Channel => _channel;

    /// <summary>The current worker's process id (0 before it starts, and between a worker's death and its replacement).</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Completes when the worker serves requests (its functions are loaded), or failed to start. The ready line
    /// waits for the storage check too.</summary>
    public Task Ready => _ready.Task;

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _grpc = BuildGrpcServer();
        await _grpc.StartAsync(cancellationToken);
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => LaunchAsync(replacing: null)));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _ready.TrySetCanceled(CancellationToken.None);
        StopTimers();
        var channel = _channel;
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
        builder.Services.AddSingleton(this);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        return app;
    }

    // Starts a worker: the first (replacing null), or the replacement of the one (that pid) that died.
    private async Task LaunchAsync(int? replacing)
    {
        var channel = _channel = replacing is null ? _channel : new WorkerChannel(loggers);
        WorkerProcess? process = null;
        try
        {
            var frontUrl = FrontUrl();
            var grpcUrl = _grpc!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var workerLog = loggers.CreateLogger("FanOut.LocalHost.WorkerConsole");
            var environment = Environment(frontUrl);
            _process = process = WorkerProcess.Start(settings.AppDirectory, Arguments(grpcUrl, channel), environment, line => LogWorkerLine(workerLog, line));
            _ = WatchAsync(process, channel);
            await channel.Connected.WaitAsync(StartTimeout);
            var (functions, timers) = await HandshakeAsync(channel);
            _functions = functions;
            _serving = process;
            _ready.TrySetResult();
            StartTimers(channel, timers, WorkerConfiguration(environment));
            if (replacing is { } replaced)
            {
                LogReplaced(_logger, process.Id, replaced, _time.GetUtcNow());
                return;
            }
            await StorageWorksAsync(StorageReadiness.Create(WorkerConfiguration(environment), NullLoggerFactory.Instance), frontUrl);
            // On the console whatever the log levels, as func start lists its functions; the first line is what
            // LocalHostProcess waits for.
            Console.WriteLine(ReadyLine(frontUrl, process.Id, process.Dll));
            foreach (var function in functions)
            {
                Console.WriteLine($"        {function.Name}: [{string.Join(",", function.Methods)}] {frontUrl.TrimEnd('/')}/{function.Route}");
            }
            foreach (var timer in timers)
            {
                Console.WriteLine($"        {timer.Name}: timerTrigger '{TimerTriggers.Resolve(timer, WorkerConfiguration(environment))}'");
            }
        }
        catch (Exception ex) when (!_stopping && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            LogStartFailed(_logger, ex.Message, channel.LastLogs.ToString(), process?.LastLines.ToString() ?? "");
            _ready.TrySetException(ex);
            Fail();
        }
    }

    // The worker's timer functions run while it is the current worker; a replaced worker's stop with it.
    private void StartTimers(WorkerChannel channel, IReadOnlyList<TimerFunction> timers, IConfiguration workerSettings)
    {
        var stop = new CancellationTokenSource();
        Interlocked.Exchange(ref _timers, stop)?.Cancel();
        _ = new TimerTriggers(channel, workerSettings, _time, loggers.CreateLogger("FanOut.LocalHost.Timers")).RunAsync(timers, stop.Token);
    }

    private void StopTimers() => Interlocked.Exchange(ref _timers, null)?.Cancel();

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

    private async Task<(IReadOnlyList<WorkerFunction> Http, IReadOnlyList<TimerFunction> Timers)> HandshakeAsync(WorkerChannel channel)
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
        var timers = new List<TimerFunction>();
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
            else if (TimerFunction.FromMetadata(function) is { } timer)
            {
                timers.Add(timer);
            }
        }
        return (functions, timers);
    }

    private static void Check(StatusResult? result, string request)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {request}: {result?.Exception?.Message ?? result?.Result ?? "no answer"}");
        }
    }

    private async Task WatchAsync(WorkerProcess process, WorkerChannel channel)
    {
        var code = await process.Exited;
        channel.Close();
        if (_stopping)
        {
            return;
        }
        // Until its replacement is ready, requests are answered 503 (with Retry-After), as while the first one starts.
        var served = ReferenceEquals(_serving, process);
        _functions = null;
        StopTimers();
        if (!served)
        {
            LogWorkerDied(_logger, process.Id, code, channel.LastLogs.ToString(), process.LastLines.ToString());
            Fail();
            return;
        }
        LogWorkerLost(_logger, process.Id, code, _time.GetUtcNow(), channel.LastLogs.ToString(), process.LastLines.ToString());
        var pid = process.Id;
        if (ReferenceEquals(_process, process))
        {
            _process = null;
        }
        process.Dispose();
        await LaunchAsync(replacing: pid);
    }

    private void Fail()
    {
        System.Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    private string FrontUrl() => LocalPaths.CallableUrl(front.Features.Get<IServerAddressesFeature>()!.Addresses.First());

    // The arguments the Functions host gives a worker (read by the worker as Functions:Worker:*); without the
    // message length the worker's limit is 0 and it dies sending StartStream.
    private static IEnumerable<string> Arguments(string grpcUrl, WorkerChannel channel) =>
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
            // The watchdog's timer reads its schedule from this app setting (%FanOut:Watchdog:Schedule%), which the
            // Functions host requires to be set (infra sets it in Azure): locally it has the app's default.
            [WatchdogSchedule] = WatchdogOptions.DefaultSchedule,
        };
        // The host's log levels are the worker's too, so the worker does not send what the host would drop.
        foreach (var level in configuration.GetSection("Logging:LogLevel").GetChildren())
        {
            environment[$"Logging__LogLevel__{level.Key}"] = level.Value ?? "";
        }
        foreach (var name in (string[])["FanOut__SelfBaseUrl", "FanOut__LocalDevelopment", WatchdogSchedule])
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

    [LoggerMessage(Level = LogLevel.Critical, Message = "The worker (pid {Pid}) exited with code {Code} before it was ready; the host stops.\nIts last logs:\n{Logs}\nIts last console lines:\n{Lines}")]
    private static partial void LogWorkerDied(ILogger logger, int pid, int code, string logs, string lines);

    [LoggerMessage(Level = LogLevel.Error, Message = "The worker (pid {Pid}) exited with code {Code} at {At:O}; a new worker starts, and requests are answered 503 until it is ready.\nIts last logs:\n{Logs}\nIts last console lines:\n{Lines}")]
    private static partial void LogWorkerLost(ILogger logger, int pid, int code, DateTimeOffset at, string logs, string lines);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A new worker (pid {Pid}) is ready at {At:O}: it replaces the worker (pid {Replaced}) that exited.")]
    private static partial void LogReplaced(ILogger logger, int pid, int replaced, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The worker (pid {Pid}) did not stop within {Seconds} s of WorkerTerminate: killed.")]
    private static partial void LogKilledAfterGrace(ILogger logger, int pid, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Line}")]
    private static partial void LogWorkerConsole(ILogger logger, string line);
}
