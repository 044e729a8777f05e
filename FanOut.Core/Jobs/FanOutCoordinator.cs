using System.Buffers;
using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using FanOut.Core.Planning;
using FanOut.Core.Requests;

namespace FanOut.Core.Jobs;

/// <summary>Handles <c>start_fanout</c>: validates the job, plans its chunks, fans them out as
/// <c>process_chunk</c> self-calls and merges their results into the job's result.</summary>
public sealed class FanOutCoordinator(StartFanoutValidator validator, ChunkDispatcher dispatcher, TimeProvider timeProvider)
{
    /// <summary>At most this many failures are listed in a job's result.</summary>
    public const int MaxListedFailures = 100;

    /// <summary>Runs the job in <paramref name="body"/> and answers its result.</summary>
    public async Task<BatchReply> StartAsync(JsonElement body, CancellationToken cancellationToken = default)
    {
        var errors = new FieldErrors();
        var command = validator.Validate(body, errors);
        if (command is null)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }

        var createdAt = timeProvider.GetUtcNow();
        var started = timeProvider.GetTimestamp();
        var chunks = ChunkPlanner.PlanInline(command.Items.Count, command.ChunkSize);
        var outcomes = await dispatcher.DispatchAsync(
            command.JobId, chunks, chunk => ChunkBody(command, chunk), command.MaxConcurrency, cancellationToken)
            .ConfigureAwait(false);

        var succeeded = outcomes.Where(o => o.Succeeded).Select(o => o.Result!).ToList();
        var failed = outcomes.Where(o => !o.Succeeded).ToList();
        var merged = command.Processor.Merge([.. succeeded.Select(r => r.Result)], command.Options);
        var result = new JobResult
        {
            JobId = command.JobId,
            Status = failed.Count == 0 ? JobStatus.Succeeded : JobStatus.Failed,
            Processor = command.Processor.Name,
            CreatedAt = createdAt,
            CompletedAt = timeProvider.GetUtcNow(),
            Chunks = new ChunkCounts(chunks.Count, succeeded.Count, failed.Count, 0),
            Items = new ItemCounts(succeeded.Sum(r => r.Items), failed.Sum(o => (long)chunks[o.Chunk].Count)),
            DurationMs = (long)timeProvider.GetElapsedTime(started).TotalMilliseconds,
            Result = command.Processor.Finish(merged, command.Options),
            Failures = [.. failed.Take(MaxListedFailures).Select(o => new ChunkFailure(o.Chunk, o.Error!, o.Attempts))],
        };
        return BatchReply.Json(200, result, FanOutJsonContext.Default.JobResult);
    }

    // The chunk's process_chunk body, written straight from the request's parsed items.
    private static byte[] ChunkBody(StartFanoutCommand command, ChunkRange chunk)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + chunk.Count * 16);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("action", BatchActions.ProcessChunk);
            json.WriteString("jobId", command.JobId);
            json.WriteNumber("chunk", chunk.Index);
            json.WriteString("processor", command.Processor.Name);
            json.WriteNumber("depth", 1);
            if (command.Options.ValueKind != JsonValueKind.Undefined)
            {
                json.WritePropertyName("options");
                command.Options.WriteTo(json);
            }
            json.WriteStartArray("items");
            for (var i = chunk.Start; i < chunk.Start + chunk.Count; i++)
            {
                command.Items[i].WriteTo(json);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
