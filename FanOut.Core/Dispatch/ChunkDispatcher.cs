using System.Collections.Concurrent;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Planning;
using Microsoft.Extensions.Logging;

namespace FanOut.Core.Dispatch;

/// <summary>Sends every chunk of a job to the app's own endpoint as <c>process_chunk</c>, at most
/// <c>maxConcurrency</c> at a time, and gathers how each one ended.</summary>
public sealed class ChunkDispatcher(SelfClient client, ILogger<ChunkDispatcher> logger)
{
    /// <summary>Dispatches the chunks and returns their outcomes, ordered by chunk index.</summary>
    /// <param name="jobId">The job the chunks belong to.</param>
    /// <param name="chunks">The chunks to send.</param>
    /// <param name="bodyOf">The <c>process_chunk</c> body of a chunk, built when it is sent so that
    /// at most <paramref name="maxConcurrency"/> bodies are in memory at once.</param>
    /// <param name="maxConcurrency">In-flight self-calls at most.</param>
    /// <param name="cancellationToken">Stops sending further chunks.</param>
    public async Task<IReadOnlyList<ChunkOutcome>> DispatchAsync(
        string jobId,
        IReadOnlyList<ChunkRange> chunks,
        Func<ChunkRange, byte[]> bodyOf,
        int maxConcurrency,
        CancellationToken cancellationToken = default)
    {
        var outcomes = new ConcurrentBag<ChunkOutcome>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(chunks, parallel, async (chunk, ct) =>
        {
            var call = await client.PostBatchAsync(bodyOf(chunk), $"{jobId}/{chunk.Index}", ct).ConfigureAwait(false);
            var outcome = ToOutcome(chunk.Index, call);
            if (!outcome.Succeeded)
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
