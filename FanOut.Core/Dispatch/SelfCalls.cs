namespace FanOut.Core.Dispatch;

/// <summary>The one sender of a dispatcher's internal calls, chunks and sub-trees alike: at most
/// <c>maxConcurrency</c> in flight, none sent and none waited for once the deadline passes.</summary>
internal sealed class SelfCalls(ISelfCaller caller)
{
    /// <summary>Makes <paramref name="count"/> calls and returns how each ended, in order: null for a call not
    /// sent or not answered before <paramref name="deadline"/> (it may still have done its work).</summary>
    /// <param name="jobId">The job the calls work for.</param>
    /// <param name="count">How many calls.</param>
    /// <param name="callOf">The i-th call, built when it is sent, so at most maxConcurrency bodies are in memory at once.</param>
    /// <param name="maxConcurrency">Calls in flight at most.</param>
    /// <param name="deadline">When it passes, nothing more is sent or waited for.</param>
    public async Task<SelfCallResult?[]> SendAsync(string jobId, int count, Func<int, SelfCall> callOf, int maxConcurrency, CancellationToken deadline)
    {
        var ends = new SelfCallResult?[count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrency) };
        await Parallel.ForEachAsync(Enumerable.Range(0, count), parallel, async (i, _) =>
        {
            if (deadline.IsCancellationRequested)
            {
                return;
            }
            var call = callOf(i);
            try
            {
                ends[i] = await caller.PostBatchAsync(call.Body, call.OperationKey, deadline, call.AttemptTimeout, jobId).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // Not seen to an end: stays null.
            }
        }).ConfigureAwait(false);
        return ends;
    }
}
