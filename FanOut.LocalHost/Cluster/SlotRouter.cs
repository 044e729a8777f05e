namespace FanOut.LocalHost.Cluster;

/// <summary>The front's routing, as Flex's front end does it: a request goes to a ready instance with a free slot, the one
/// with the fewest invocations running (ties in turn); with no free slot anywhere it waits in one bounded first-in
/// first-out queue, and is refused (the caller answers 429 with Retry-After) when the queue is full or it waited
/// <see cref="ClusterOptions.QueueTimeout"/>. A slot given back, or an instance that becomes ready, serves the queue first.</summary>
internal sealed class SlotRouter(Func<int> queueCapacity, TimeSpan queueTimeout, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private readonly List<Instance> _instances = [];
    private readonly LinkedList<TaskCompletionSource<Slot?>> _queue = new();
    private int _turn;

    /// <summary>Requests waiting for a slot now.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Called when a request starts waiting because every ready instance is full (the scaler listens).</summary>
    public event Action? Queued;

    /// <summary>Adds a ready instance and serves the queue from it.</summary>
    public void Add(Instance instance)
    {
        lock (_lock)
        {
            _instances.Add(instance);
            ServeQueue();
        }
    }

    /// <summary>Takes an instance out of the routing (dying, or being removed); its slots are not given to anyone again.</summary>
    public void Remove(Instance instance)
    {
        lock (_lock)
        {
            _instances.Remove(instance);
        }
    }

    /// <summary>The ready instance with the fewest invocations running (ties in turn), for work that takes no slot (a
    /// timer occurrence); null when none is ready.</summary>
    public Instance? Least()
    {
        lock (_lock)
        {
            return Pick(_ => true);
        }
    }

    /// <summary>A slot for one request: at once when a ready instance has one free (and nobody waits before it), else
    /// after waiting in the queue; null when the queue is full or the wait ran past the bound.</summary>
    public async Task<Slot?> AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<Slot?> waiter;
        LinkedListNode<TaskCompletionSource<Slot?>> node;
        lock (_lock)
        {
            if (_queue.Count == 0 && TryTake() is { } slot)
            {
                return slot;
            }
            if (_queue.Count >= queueCapacity())
            {
                return null;
            }
            waiter = new TaskCompletionSource<Slot?>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _queue.AddLast(waiter);
        }
        Queued?.Invoke();
        try
        {
            return await waiter.Task.WaitAsync(queueTimeout, timeProvider, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _queue.Remove(node);
                    if (ex is TimeoutException)
                    {
                        return null;
                    }
                    throw;
                }
            }
            // A slot was given to it just as it stopped waiting: it goes back to the next in line.
            (await waiter.Task)?.Dispose();
            if (ex is TimeoutException)
            {
                return null;
            }
            throw;
        }
    }

    /// <summary>Gives a slot back and serves the queue.</summary>
    public void Release(Slot slot)
    {
        lock (_lock)
        {
            slot.Instance.ReleaseSlot();
            ServeQueue();
        }
    }

    private void ServeQueue()
    {
        while (_queue.First is { } first && TryTake() is { } slot)
        {
            _queue.RemoveFirst();
            first.Value.TrySetResult(slot);
        }
    }

    private Slot? TryTake()
    {
        if (Pick(i => i.Busy < i.Slots) is not { } instance)
        {
            return null;
        }
        instance.TakeSlot();
        return new Slot(this, instance);
    }

    // The ready instance that qualifies with the fewest running, starting from the one after the last chosen, so equals
    // take turns.
    private Instance? Pick(Func<Instance, bool> qualifies)
    {
        Instance? best = null;
        var bestAt = 0;
        for (var k = 0; k < _instances.Count; k++)
        {
            var at = (_turn + k) % _instances.Count;
            var candidate = _instances[at];
            if (candidate.State == InstanceState.Ready && qualifies(candidate) && (best is null || candidate.Active < best.Active))
            {
                (best, bestAt) = (candidate, at);
            }
        }
        if (best is not null)
        {
            _turn = bestAt + 1;
        }
        return best;
    }
}
