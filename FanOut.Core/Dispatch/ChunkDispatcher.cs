using System.Collections.Concurrent;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Dispatch;

/// <summary>Sends chunks of a job to the app's own endpoint (as <c>process_chunk</c>, or <c>count_quotes</c>),
/// at most <c>maxConcurrency</c> at a time, and gathers how each one ended.</summary>
public sealed class ChunkDispatcher(SelfClient client, ILogger<ChunkDispatcher> logger)
{
    /// <summary>Dispatches the chunks and returns their outcomes, ordered by chunk index.</summary>
    /// <param name="jobId">The job the chunks belong to.</param>
    /// <param name="chunks">The chunks to send.</param>
    /// <param name="bodyOf">The body of a chunk's call, built when it is sent so that at most
    /// <paramref name="maxConcurrency"/> bodies are in memory at once.</param>
    /// <param name="maxConcurrency">In-flight self-calls at most.</param>
    /// <param name="deadline">When it passes, no further chunk is sent and no call is waited for: those
    /// chunks come back unfinished (a call already sent may still commit).</param>
    /// <param name="attemptTimeout">Time limit of each attempt of a call, instead of the configured one.</param>
    public async Task<IReadOnlyList<ChunkOutcome>> DispatchAsync(
        string jobId,
        IReadOnlyList<ChunkRange> chunks,
        Func<ChunkRange, byte[]> bodyOf,
        int maxConcurrency,
        CancellationToken deadline = default,
        Func<TimeSpan?>? attemptTimeout = null)
    {
        var outcomes = new ConcurrentBag<ChunkOutcome>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency };
        await Parallel.ForEachAsync(chunks, parallel, async (chunk, _) =>
        {
            if (deadline.IsCancellationRequested)
            {
                outcomes.Add(new ChunkOutcome(chunk.Index, null, null, 0));
                return;
            }
            SelfCallResult call;
            try
            {
                call = await client.PostBatchAsync(bodyOf(chunk), $"{jobId}/{chunk.Index}", deadline, attemptTimeout?.Invoke(), jobId).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                outcomes.Add(new ChunkOutcome(chunk.Index, null, null, 0));
                return;
            }
            var outcome = ToOutcome(chunk.Index, call);
            if (outcome.Failed)
            {
                Log.ChunkFailed(logger, jobId, chunk.Index, outcome.Attempts, outcome.Error!);
            }
            outcomes.Add(outcome);
        }).ConfigureAwait(false);
        return [.. outcomes.OrderBy(o => o.Chunk)];
    }

    private static ChunkOutcome ToOutcome(int chunk, SelfCallResult call)
    {
        if (call.Error is not null)
        {
            return new ChunkOutcome(chunk, null, call.Error, call.Attempts);
        }
        try
        {
            if (call.IsSuccess)
            {
                var result = JsonSerializer.Deserialize(call.Body, FanOutJsonContext.Default.ChunkResult);
                return new ChunkOutcome(chunk, result, result is null ? "Empty chunk result." : null, call.Attempts);
            }
            var problem = JsonSerializer.Deserialize(call.Body, FanOutJsonContext.Default.ProblemDetails);
            return new ChunkOutcome(chunk, null, $"HTTP {call.StatusCode}: {problem?.Detail}", call.Attempts);
        }
        catch (JsonException)
        {
            return new ChunkOutcome(chunk, null, $"HTTP {call.StatusCode} with a body that is not the expected JSON.", call.Attempts);
        }
    }
}
