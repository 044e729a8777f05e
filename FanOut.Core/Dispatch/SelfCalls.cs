namespace FanOut.Core.Dispatch;

/// <summary>The one sender of a dispatcher's internal calls, chunks and sub-trees alike: at most
/// <c>maxConcurrency</c> in flight, none sent and none waited for once the deadline passes, none sent once the job
/// is cancelled (<see cref="JobThrottle.IsCancelledAsync"/>; the calls in flight finish).</summary>
internal sealed class SelfCalls(ISelfCaller caller, JobThrottle throttle)
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
    public async Task<SelfCallResult?[]> SendAsync(
        string jobId, int count, Func<int, int, SelfCall> callOf, int lanes, CancellationToken deadline, Func<int, SelfCallResult, Task>? ended = null)
    {
        var ends = new SelfCallResult?[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(lanes, count)).Select(async lane =>
        {
            await Task.Yield();
            for (var i = Interlocked.Increment(ref next); i < count && !deadline.IsCancellationRequested; i = Interlocked.Increment(ref next))
            {
                if (await throttle.IsCancelledAsync(jobId).ConfigureAwait(false))
                {
                    break; // this call and the rest stay unsent: unfinished
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
            }
        })).ConfigureAwait(false);
        return ends;
    }
}
