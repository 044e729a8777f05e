namespace FanOut.Core.Dispatch;

/// <summary>The one sender of a dispatcher's internal calls, chunks and sub-trees alike: at most as many in flight as it
/// has lanes, none sent and none waited for once the deadline passes, none sent once the job is cancelled
/// (<see cref="JobThrottle.IsCancelledAsync"/>; the calls in flight finish). Its lanes may follow the job's concurrency
/// level while it sends (<see cref="SendAsync(string, int, Func{int, int, SelfCall}, Func{int}, int, CancellationToken, Func{int, SelfCallResult, Task}?)"/>).</summary>
internal sealed class SelfCalls(ISelfCaller caller, JobThrottle throttle, TimeProvider timeProvider)
{
    /// <summary>Makes <paramref name="count"/> calls and returns how each ended, in order: null for a call not
    /// sent or not answered before <paramref name="deadline"/> (it may still have done its work).</summary>
    /// <param name="jobId">The job the calls work for.</param>
    /// <param name="count">How many calls.</param>
    /// <param name="callOf">The i-th call, built when it is sent, so at most maxConcurrency bodies are in memory at once.</param>
    /// <param name="maxConcurrency">Calls in flight at most.</param>
    /// <param name="deadline">When it passes, nothing more is sent or waited for.</param>
    /// <param name="ended">Told of each call as it is answered, on the sending lane, which sends its next call once this is done.</param>
    public Task<SelfCallResult?[]> SendAsync(
        string jobId, int count, Func<int, SelfCall> callOf, int maxConcurrency, CancellationToken deadline, Func<int, SelfCallResult, Task>? ended = null) =>
        SendAsync(jobId, count, (i, _) => callOf(i), Math.Max(1, maxConcurrency), deadline, ended);

    /// <summary>As above, over <paramref name="lanes"/> lanes: each lane sends one call at a time, taking the next
    /// unsent one when its call ends, and <paramref name="callOf"/> learns which lane sends the call.</summary>
    public Task<SelfCallResult?[]> SendAsync(
        string jobId, int count, Func<int, int, SelfCall> callOf, int lanes, CancellationToken deadline, Func<int, SelfCallResult, Task>? ended = null) =>
        SendCoreAsync(jobId, count, callOf, () => lanes, Math.Max(1, lanes), follow: false, deadline, ended);

    /// <summary>As above, over as many lanes as <paramref name="lanes"/> says now (between 1 and <paramref name="maxLanes"/>):
    /// it is asked again whenever a call ends and, while calls run, once every <see cref="JobThrottle.RefreshEvery"/> after
    /// the job's signals are refreshed (so a level changed on another instance is seen within about a second even when every
    /// call is long). More lanes start at once; a lane whose index is at or above the count finishes its call and stops.</summary>
    /// <param name="jobId">The job the calls work for.</param>
    /// <param name="count">How many calls.</param>
    /// <param name="callOf">The i-th call and the lane (below <paramref name="maxLanes"/>) that sends it.</param>
    /// <param name="lanes">The lanes wanted now: cheap, read nothing (e.g. the job's level as <see cref="JobThrottle.LevelOf"/> last saw it).</param>
    /// <param name="maxLanes">Lanes at most, whatever <paramref name="lanes"/> says.</param>
    /// <param name="deadline">When it passes, nothing more is sent or waited for.</param>
    /// <param name="ended">Told of each call as it is answered, on the sending lane.</param>
    public Task<SelfCallResult?[]> SendAsync(
        string jobId, int count, Func<int, int, SelfCall> callOf, Func<int> lanes, int maxLanes, CancellationToken deadline,
        Func<int, SelfCallResult, Task>? ended = null) =>
        SendCoreAsync(jobId, count, callOf, lanes, Math.Max(1, maxLanes), follow: true, deadline, ended);

    private async Task<SelfCallResult?[]> SendCoreAsync(
        string jobId, int count, Func<int, int, SelfCall> callOf, Func<int> lanes, int maxLanes, bool follow, CancellationToken deadline,
        Func<int, SelfCallResult, Task>? ended)
    {
        var ends = new SelfCallResult?[count];
        if (count == 0)
        {
            return ends;
        }
        var cap = Math.Min(maxLanes, count);
        var running = new bool[cap];
        var active = 0;
        var next = -1;
        var gate = new Lock();
        var started = new List<Task>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int Wanted() => Math.Clamp(lanes(), 1, cap);

        // Starts the lanes wanted that are not running, while calls are left to send. Lane 0 runs until the work, the deadline or
        // the job ends (it is always wanted), so once no lane runs, none is needed.
        void Grow()
        {
            if (Volatile.Read(ref next) >= count - 1 || deadline.IsCancellationRequested)
            {
                return;
            }
            var wanted = Wanted();
            lock (gate)
            {
                for (var lane = 0; lane < wanted && !done.Task.IsCompleted; lane++)
                {
                    if (!running[lane])
                    {
                        running[lane] = true;
                        active++;
                        started.Add(LaneAsync(lane));
                    }
                }
            }
        }

        async Task LaneAsync(int lane)
        {
            try
            {
                await Task.Yield();
                while (!deadline.IsCancellationRequested && lane < Wanted())
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= count || await throttle.IsCancelledAsync(jobId).ConfigureAwait(false))
                    {
                        break; // a cancelled job's call and the rest stay unsent: unfinished
                    }
                    var call = callOf(i, lane);
                    try
                    {
                        var end = await caller.PostBatchAsync(call.Body, call.OperationKey, deadline, call.AttemptTimeout, jobId).ConfigureAwait(false);
                        ends[i] = end;
                        if (ended is not null)
                        {
                            await ended(i, end).ConfigureAwait(false);
                        }
                    }
                    catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                    {
                        // Not seen to an end: stays null.
                    }
                    if (follow)
                    {
                        Grow();
                    }
                }
            }
            finally
            {
                lock (gate)
                {
                    running[lane] = false;
                    if (--active == 0)
                    {
                        done.TrySetResult();
                    }
                }
            }
        }

        if (follow)
        {
            // The level as the ledger has it now (one read per job per second on this instance, shared by its dispatchers).
            await throttle.LevelAsync(jobId).ConfigureAwait(false);
        }
        Grow();
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline))
        {
            var watching = follow ? WatchAsync(jobId, Grow, stop.Token) : Task.CompletedTask;
            lock (gate)
            {
                if (active == 0)
                {
                    done.TrySetResult(); // nothing was started: the deadline had passed
                }
            }
            await done.Task.ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
        }
        Task[] lanesRun;
        lock (gate)
        {
            lanesRun = [.. started];
        }
        await Task.WhenAll(lanesRun).ConfigureAwait(false); // what a lane threw (a call that could not be built) surfaces here
        return ends;
    }

    // While the calls run: once a refresh period, the job's signals as the ledger has them (read at most once a second per job
    // on this instance, whoever asks), and the lanes they want.
    private async Task WatchAsync(string jobId, Action grow, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(JobThrottle.RefreshEvery, timeProvider, stop).ConfigureAwait(false);
                await throttle.LevelAsync(jobId).ConfigureAwait(false);
                grow();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The calls are over (or the deadline passed).
        }
    }
}
