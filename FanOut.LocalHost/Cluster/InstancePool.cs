using System.Collections.Concurrent;
using System.Net;
using FanOut.LocalHost.Hosting;
using FanOut.LocalHost.Worker;
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

namespace FanOut.LocalHost.Cluster;

/// <summary>The instances behind the front, as the platform keeps them: one gRPC server (a loopback port of its own, HTTP/2
/// cleartext, no message size limit) that every instance's worker connects to; <see cref="ClusterOptions.Instances"/>
/// instances started once the front listens (its address is the app's self URL), each the real worker with its
/// handshake; the ready line once all are ready. An instance whose worker dies once it served is replaced (its death
/// logged: which, when, its last lines; the requests in flight on it die with it); a worker that dies before it was ever
/// ready takes the host down, exit code 1 (no crash loop). The scaler adds and removes instances between the bounds, the
/// recycler kills them; the timer functions run once per occurrence across the cluster. Stopping sends every worker
/// WorkerTerminate and kills it after the grace period.</summary>
internal sealed partial class InstancePool(
    LocalHostSettings settings, ClusterOptions cluster, SlotRouter router, IServer front, IHostApplicationLifetime lifetime,
    ILoggerFactory loggers, IConfiguration configuration, TimeProvider timeProvider) : IHostedService
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a worker has to stop after WorkerTerminate before it is killed.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger("FanOut.LocalHost");
    private readonly ConcurrentDictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _grpc;
    private Dictionary<string, string>? _environment;
    private int _lastId;
    private volatile bool _stopping;

    /// <summary>Completes when the instances it starts with serve (their functions are loaded), or failed to start. The
    /// ready line waits for the storage check too.</summary>
    public Task Ready => _ready.Task;

    /// <summary>The live instances (starting, ready, stopping), in the order they started.</summary>
    public IReadOnlyList<Instance> Instances => [.. _instances.Values.OrderBy(i => i.Id)];

    /// <summary>The HTTP functions the app serves (a ready instance's); null while no instance is ready.</summary>
    public IReadOnlyList<WorkerFunction>? Functions =>
        _instances.Values.FirstOrDefault(i => i.State == InstanceState.Ready) is { } ready ? ready.Functions : null;

    /// <summary>The worker pid of the first live instance (0 when none).</summary>
    public int FirstProcessId => Instances.FirstOrDefault()?.Pid ?? 0;

    /// <summary>The channel of the instance launched with <paramref name="workerId"/>; null for an id no instance has.</summary>
    public WorkerChannel? ChannelOf(string? workerId)
    {
        if (workerId is not null && _instances.TryGetValue(workerId, out var instance))
        {
            return instance.Channel;
        }
        LogUnknownWorker(_logger, workerId ?? "(none)");
        return null;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _grpc = BuildGrpcServer();
        await _grpc.StartAsync(cancellationToken);
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(StartClusterAsync));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _ready.TrySetCanceled(CancellationToken.None);
        await _stop.CancelAsync();
        await Task.WhenAll(Instances.Select(TerminateAsync));
        if (_grpc is not null)
        {
            await _grpc.StopAsync(CancellationToken.None);
            await _grpc.DisposeAsync();
        }
    }

    /// <summary>Starts one more instance and waits until it is ready; it then takes work.</summary>
    public Task<Instance> AddAsync() => LaunchAsync();

    /// <summary>Removes an instance on purpose: it takes no new work, finishes what it runs, then its worker is told to
    /// stop (WorkerTerminate) and killed after the grace period.</summary>
    public async Task RemoveAsync(Instance instance)
    {
        instance.Retire();
        router.Remove(instance);
        for (var waited = 0; instance.Active > 0 && waited < 600; waited++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), timeProvider, _stop.Token);
        }
        await TerminateAsync(instance);
    }

    private async Task StartClusterAsync()
    {
        try
        {
            var frontUrl = LocalPaths.CallableUrl(front.Features.Get<IServerAddressesFeature>()!.Addresses.First());
            _environment = WorkerEnvironment.Of(settings, frontUrl, configuration, cluster);
            var started = await Task.WhenAll(Enumerable.Range(0, cluster.Instances).Select(_ => LaunchAsync()));
            _ready.TrySetResult();
            var timers = new ClusterTimers(router, WorkerEnvironment.Configuration(_environment), timeProvider, loggers.CreateLogger("FanOut.LocalHost.Timers"));
            _ = timers.RunAsync(started[0].Timers, _stop.Token);
            if (cluster.MaxInstances > cluster.Instances)
            {
                _ = new InstanceScaler(this, router, cluster, timeProvider, loggers.CreateLogger("FanOut.LocalHost.Scaler")).RunAsync(_stop.Token);
            }
            if (cluster.RecycleEvery is { } every)
            {
                _ = new Recycler(this, every, timeProvider, loggers.CreateLogger("FanOut.LocalHost.Recycler")).RunAsync(_stop.Token);
            }
            await ReadyAnnouncement.AnnounceAsync(started, frontUrl, _environment, cluster, _stop.Token);
        }
        catch (Exception) when (_stopping)
        {
            // the host stops while it starts
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            Fail();
        }
    }

    // Starts an instance and waits until its worker is ready; a worker that does not get there is logged and killed.
    private async Task<Instance> LaunchAsync()
    {
        var instance = new Instance(Interlocked.Increment(ref _lastId), cluster.SlotsPerInstance(settings.HostJson), loggers, timeProvider);
        _instances[instance.Channel.WorkerId] = instance;
        try
        {
            var grpcUrl = _grpc!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var workerLog = loggers.CreateLogger("FanOut.LocalHost.WorkerConsole");
            instance.Process = WorkerProcess.Start(
                settings.AppDirectory, WorkerEnvironment.Arguments(grpcUrl, instance.Channel.WorkerId), _environment!, line => LogWorkerLine(workerLog, line));
            _ = WatchAsync(instance);
            await instance.Channel.Connected.WaitAsync(StartTimeout);
            var (functions, timers) = await Handshake.RunAsync(instance.Channel, settings);
            instance.BecomeReady(functions, timers);
            router.Add(instance);
            LogInstanceReady(_logger, instance.Id, instance.Pid, instance.Slots);
            return instance;
        }
        catch (Exception ex) when (!_stopping)
        {
            LogStartFailed(_logger, instance.Id, ex.Message, instance.Channel.LastLogs.ToString(), instance.Process?.LastLines.ToString() ?? "");
            throw;
        }
    }

    private async Task WatchAsync(Instance instance)
    {
        var code = await instance.Process!.Exited;
        var served = instance.Served;
        instance.BecomeStopping();
        router.Remove(instance);
        // The invocations in flight on it fail: their callers' connections are dropped, as when Azure loses an instance.
        instance.Channel.Close();
        _instances.TryRemove(instance.Channel.WorkerId, out _);
        if (_stopping || instance.Retiring)
        {
            return;
        }
        if (!served)
        {
            LogWorkerDied(_logger, instance.Id, instance.Pid, code, instance.Channel.LastLogs.ToString(), instance.Process.LastLines.ToString());
            Fail();
            return;
        }
        LogInstanceLost(_logger, instance.Id, instance.Pid, code, timeProvider.GetUtcNow(), instance.Channel.LastLogs.ToString(), instance.Process.LastLines.ToString());
        var pid = instance.Pid;
        instance.Process.Dispose();
        try
        {
            var replacement = await LaunchAsync();
            LogReplaced(_logger, replacement.Id, replacement.Pid, timeProvider.GetUtcNow(), instance.Id, pid);
        }
        catch (Exception) when (!_stopping)
        {
            Fail();
        }
    }

    private async Task TerminateAsync(Instance instance)
    {
        instance.Retire();
        router.Remove(instance);
        if (instance.Process is { } process && !process.Exited.IsCompleted)
        {
            instance.Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(GracePeriod) } });
            if (await Task.WhenAny(process.Exited, Task.Delay(GracePeriod, CancellationToken.None)) != process.Exited)
            {
                LogKilledAfterGrace(_logger, instance.Id, process.Id, GracePeriod.TotalSeconds);
            }
            process.Dispose();
        }
        instance.Channel.Close();
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

    private void Fail()
    {
        Environment.ExitCode = 1;
        lifetime.StopApplication();
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

    [LoggerMessage(Level = LogLevel.Critical, Message = "Instance {Id}'s worker did not start: {Reason}.\nIts last logs:\n{Logs}\nIts last console lines:\n{Lines}")]
    private static partial void LogStartFailed(ILogger logger, int id, string reason, string logs, string lines);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Instance {Id}'s worker (pid {Pid}) exited with code {Code} before it was ready; the host stops.\nIts last logs:\n{Logs}\nIts last console lines:\n{Lines}")]
    private static partial void LogWorkerDied(ILogger logger, int id, int pid, int code, string logs, string lines);

    [LoggerMessage(Level = LogLevel.Error, Message = "Instance {Id}'s worker (pid {Pid}) exited with code {Code} at {At:O}; its invocations in flight are lost (their callers' connections dropped) and a new instance starts in its place.\nIts last logs:\n{Logs}\nIts last console lines:\n{Lines}")]
    private static partial void LogInstanceLost(ILogger logger, int id, int pid, int code, DateTimeOffset at, string logs, string lines);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Id} (worker pid {Pid}) is ready at {At:O}: it replaces instance {Replaced} (worker pid {ReplacedPid}), which exited.")]
    private static partial void LogReplaced(ILogger logger, int id, int pid, DateTimeOffset at, int replaced, int replacedPid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Id} (worker pid {Pid}) is ready: {Slots} invocations at once.")]
    private static partial void LogInstanceReady(ILogger logger, int id, int pid, int slots);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Id}'s worker (pid {Pid}) did not stop within {Seconds} s of WorkerTerminate: killed.")]
    private static partial void LogKilledAfterGrace(ILogger logger, int id, int pid, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A stream from worker id {WorkerId}, which no instance was launched with, was refused.")]
    private static partial void LogUnknownWorker(ILogger logger, string workerId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Line}")]
    private static partial void LogWorkerConsole(ILogger logger, string line);
}
