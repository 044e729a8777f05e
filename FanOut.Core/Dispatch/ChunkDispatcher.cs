using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Planning;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Dispatch;

/// <summary>Sends a leaf's chunks as <c>process_chunk</c> through <see cref="SelfCalls"/> and reads how each ended.</summary>
internal sealed class ChunkDispatcher(SelfCalls calls, ILogger<ChunkDispatcher> logger)
{
    /// <summary>Dispatches the chunks and returns their outcomes, in the order given.</summary>
    /// <param name="jobId">The job the chunks belong to.</param>
    /// <param name="chunks">The chunks to send.</param>
    /// <param name="bodyOf">The body of a chunk's call, built when it is sent.</param>
    /// <param name="lanes">In-flight self-calls at most, as it is now: asked again as calls end and once a second while they
    /// run (<see cref="SelfCalls"/>), so the leaf follows the job's concurrency level.</param>
    /// <param name="deadline">When it passes, no further chunk is sent and no call is waited for: those
    /// chunks come back unfinished (a call already sent may still commit).</param>
    /// <param name="ended">Told of each chunk that ends (succeeded or failed) as it ends, on its sending lane.</param>
    public async Task<IReadOnlyList<ChunkOutcome>> DispatchAsync(
        string jobId, IReadOnlyList<ChunkRange> chunks, Func<ChunkRange, byte[]> bodyOf, Func<int> lanes, CancellationToken deadline = default,
        Func<ChunkOutcome, Task>? ended = null)
    {
        var outcomes = new ChunkOutcome[chunks.Count];
        await calls.SendAsync(jobId, chunks.Count, (i, _) => new SelfCall(bodyOf(chunks[i]), $"{jobId}/{chunks[i].Index}"), lanes, chunks.Count, deadline,
            async (i, end) =>
            {
                if (end.CameLate)
                {
                    return; // read after this leaf's deadline (its clock ahead of this one's): not processed, unfinished
                }
                var result = end.Read(FanOutJsonContext.Default.ChunkResult, out var error);
                outcomes[i] = new ChunkOutcome(chunks[i].Index, result, error, end.Attempts);
                if (error is not null)
                {
                    Log.ChunkFailed(logger, jobId, chunks[i].Index, end.Attempts, error);
                }
                if (ended is not null)
                {
                    await ended(outcomes[i]).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        for (var i = 0; i < chunks.Count; i++)
        {
            // Not sent, or not answered before the deadline.
            outcomes[i] ??= new ChunkOutcome(chunks[i].Index, null, null, 0);
        }
        return outcomes;
    }
}
