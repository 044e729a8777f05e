using FanOut.LocalHost.Worker;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Logging;

namespace FanOut.LocalHost.Cluster;

/// <summary>One instance of the app, as Flex Consumption runs one: the real worker process (FanOut.Functions.dll) with its
/// own gRPC channel, its own slots (invocations it runs at once) and its own counters.</summary>
internal sealed class Instance(int id, int slots, ILoggerFactory loggers, TimeProvider timeProvider)
{
    private volatile int _state = (int)InstanceState.Starting;
    private int _busy;
    private int _timersRunning;
    private long _invocations;
    private long _idleSinceTicks = timeProvider.GetUtcNow().UtcTicks;
    private IReadOnlyDictionary<string, string> _functionIds = new Dictionary<string, string>();

    /// <summary>Its number in the cluster: 1, 2, 3, … in the order instances started (a replacement gets a new one).</summary>
    public int Id { get; } = id;

    /// <summary>Invocations it runs at once (<c>--per-instance-concurrency</c>, within host.json's maxConcurrentRequests).</summary>
    public int Slots { get; } = slots;

    /// <summary>The channel to its worker (the worker id it was launched with routes its stream here).</summary>
    public WorkerChannel Channel { get; } = new(loggers);

    /// <summary>Its worker process (null until launched).</summary>
    public WorkerProcess? Process { get; set; }

    /// <summary>Its worker's process id (0 until launched).</summary>
    public int Pid => Process?.Id ?? 0;

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; } = timeProvider.GetUtcNow();

    /// <summary>Where it is in its life.</summary>
    public InstanceState State => (InstanceState)_state;

    /// <summary>The HTTP functions its worker loaded (empty until ready).</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    /// <summary>The timer functions its worker loaded (empty until ready).</summary>
    public IReadOnlyList<TimerFunction> Timers { get; private set; } = [];

    /// <summary>Slots taken now (requests routed to it and not yet answered).</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Invocations in progress: its taken slots and its running timer invocations.</summary>
    public int Active => Busy + Volatile.Read(ref _timersRunning);

    /// <summary>Every invocation it ran (HTTP and timer), since it started.</summary>
    public long Invocations => Interlocked.Read(ref _invocations);

    /// <summary>True when it is ready and has run nothing for <paramref name="idle"/>.</summary>
    public bool IdleFor(TimeSpan idle) =>
        State == InstanceState.Ready && Active == 0 && timeProvider.GetUtcNow().UtcTicks - Interlocked.Read(ref _idleSinceTicks) >= idle.Ticks;

    /// <summary>Its worker serves these functions: it takes work from now on.</summary>
    public void BecomeReady(IReadOnlyList<WorkerFunction> functions, IReadOnlyList<TimerFunction> timers)
    {
        (Functions, Timers) = (functions, timers);
        _functionIds = functions.Select(f => (f.Name, f.Id)).Concat(timers.Select(t => (t.Name, t.Id))).ToDictionary(f => f.Name, f => f.Id);
        MarkIdle();
        Served = true;
        Interlocked.CompareExchange(ref _state, (int)InstanceState.Ready, (int)InstanceState.Starting);
    }

    /// <summary>It takes no new work (dying, or the host stops).</summary>
    public void BecomeStopping() => _state = (int)InstanceState.Stopping;

    /// <summary>It takes no new work and is to be removed (idle above the minimum): its exit is no loss.</summary>
    public void Retire()
    {
        Retiring = true;
        BecomeStopping();
    }

    /// <summary>True once its worker was ready (a worker that dies before that is a broken app, not a lost instance).</summary>
    public bool Served { get; private set; }

    /// <summary>True when it is being removed on purpose.</summary>
    public bool Retiring { get; private set; }

    /// <summary>Takes one of its slots (the router does, under its lock, after checking one is free).</summary>
    public void TakeSlot() => Interlocked.Increment(ref _busy);

    /// <summary>Gives a slot back.</summary>
    public void ReleaseSlot()
    {
        if (Interlocked.Decrement(ref _busy) == 0)
        {
            MarkIdle();
        }
    }

    /// <summary>Sends an invocation to its worker and waits for the answer; the function is named, and its id is this
    /// worker's own. Throws <see cref="WorkerUnavailableException"/> when the worker is gone.</summary>
    public Task<StreamingMessage> InvokeAsync(string functionName, InvocationRequest invocation, CancellationToken cancellationToken)
    {
        invocation.FunctionId = _functionIds.TryGetValue(functionName, out var functionId) ? functionId : invocation.FunctionId;
        Interlocked.Increment(ref _invocations);
        return Channel.RequestAsync(new StreamingMessage { InvocationRequest = invocation }, cancellationToken);
    }

    /// <summary>Runs a timer occurrence on it (no slot: Flex's concurrency is for HTTP invocations, but it is active).</summary>
    public async Task<StreamingMessage> InvokeTimerAsync(string functionName, InvocationRequest invocation, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _timersRunning);
        try
        {
            return await InvokeAsync(functionName, invocation, cancellationToken);
        }
        finally
        {
            if (Interlocked.Decrement(ref _timersRunning) == 0 && Busy == 0)
            {
                MarkIdle();
            }
        }
    }

    /// <summary>Sends a message that has no answer (InvocationCancel, WorkerTerminate).</summary>
    public void Send(StreamingMessage message) => Channel.Send(message);

    private void MarkIdle() => Interlocked.Exchange(ref _idleSinceTicks, timeProvider.GetUtcNow().UtcTicks);
}
