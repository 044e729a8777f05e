using System.Diagnostics;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using FanOut.Core.Processing;
using FanOut.Core.Requests;
using FanOut.Core.Telemetry;
using FanOut.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Chunks;

/// <summary>Handles <c>process_chunk</c>: runs the chunk's processor over its items and answers the
/// chunk's partial result.</summary>
internal sealed class ChunkWorker(
    ChunkProcessors processors, IChunkStore chunkStore, ChunkRecords records, IOptions<FanOutOptions> options, TimeProvider timeProvider, ILogger<ChunkWorker> logger)
{
    /// <summary>Processes the chunk in <paramref name="body"/> and, when it belongs to a job, commits its result.
    /// A processor that throws <see cref="DownstreamThrottledException"/> gets the chunk refused as throttled (429 with
    /// Retry-After), nothing committed, so that the job pauses and the chunk is sent again.</summary>
    /// <param name="body">The process_chunk request (its items stand as <c>[]</c>: they are <paramref name="items"/>).</param>
    /// <param name="items">The items of a standalone chunk, as they were sent.</param>
    /// <param name="cancellationToken">Signals that the caller went away. Only an async processor's adds see it
    /// (their downstream calls are given up, nothing is committed); records read and added synchronously are
    /// finished and committed even when the caller went away.</param>
    public async Task<Outcome> ProcessAsync(JsonElement body, InlineItems items, CancellationToken cancellationToken = default)
    {
        using var activity = FanOutTelemetry.Start("process_chunk");
        FanOutTelemetry.ChunksInFlight.Add(1);
        try
        {
            var outcome = await ProcessChunkAsync(body, items, activity, cancellationToken).ConfigureAwait(false);
            if (outcome is Refused { Refusal: var refusal })
            {
                // The refusal's kind is the error type: a short code (SourceChanged, Throttled, Invalid, …), not its detail.
                FanOutTelemetry.Fail(activity, refusal.Kind.ToString(), refusal.Kind.ToString());
            }
            return outcome;
        }
        catch (Exception ex) when (activity is not null && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // A processor or the ledger threw: the app answers 500 problem+json, and the chunk's span says why.
            FanOutTelemetry.Fail(activity, ex);
            throw;
        }
        finally
        {
            FanOutTelemetry.ChunksInFlight.Add(-1);
        }
    }

    private async Task<Outcome> ProcessChunkAsync(JsonElement body, InlineItems items, Activity? activity, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.ProcessChunkRequest, errors)
            ?.WithRawFieldsOf(body);
        if (request is null)
        {
            return Refusal.Invalid(errors);
        }

        // Read after its sender's deadline: the run that sent it is over (the next one may be sending this chunk already), so the
        // chunk is not processed: every call of a run is accepted before its deadline, never beside the next run's.
        if (request.Deadline is { } deadline && timeProvider.GetUtcNow() > deadline)
        {
            Log.ChunkCallLate(logger, request.JobId ?? "", request.Chunk);
            return Refusal.Late(request.Chunk, deadline);
        }
        if (DispatchDepth.Beyond(request.Depth, levelsBelow: 0, options.Value.Dispatch, lowest: 0) is { } tooDeep)
        {
            return Refusal.LoopDetected(tooDeep, options.Value.Dispatch.MaxDepth);
        }
        if (request.JobId is { } jobId && !JobIds.IsValid(jobId))
        {
            errors.Add("jobId", "Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.");
        }
        if (request.Chunk < 0)
        {
            errors.Add("chunk", "Must not be negative.");
        }
        var processorName = request.Processor ?? FanOutDefaults.Processor;
        var processor = processors.Named(processorName, errors);
        processor?.ValidateOptions(request.OptionsElement, errors);
        records.Validate(request, errors);
        if (!errors.IsEmpty)
        {
            return Refusal.Invalid(errors);
        }
        activity?.SetTag(FanOutTelemetry.JobTag, request.JobId).SetTag(FanOutTelemetry.ChunkTag, request.Chunk).SetTag("fanout.processor", processorName);

        var emits = processor!.OutputFormat is not null && request.JobId is not null;
        if (emits && await chunkStore.ReadChunkAsync(request.JobId!, request.Chunk).ConfigureAwait(false) is { } committed)
        {
            // Already committed: its output part is written too, so nothing is applied twice.
            return new ChunkProcessed(Answer(committed), CommitKind.Duplicate);
        }
        var output = emits ? new BufferedRecordSink() : null;
        var accumulator = processor.Begin(request.OptionsElement, (IRecordSink?)output ?? RecordSink.Discard, request.JobId, request.Chunk);
        long count;
        try
        {
            count = accumulator is IAsyncChunkAccumulator adds
                ? await records.ReadAsync(request, items, adds.AddAsync, cancellationToken).ConfigureAwait(false)
                : await records.ReadAsync(request, items, record => accumulator.Add(new ChunkRecord(record)),
                    accumulator is ILineBlockAccumulator lines ? lines.AddLines : null).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404 && request.Source is { } range)
        {
            return Refusal.SourceUnreadable(ex.Status, range);
        }
        catch (InvalidDataException ex) when (request.Source is { } range)
        {
            // The data, not the call: the same every time, so a final refusal that names the chunk's range.
            return Refusal.Invalid("source", $"{ex.Message} (chunk {request.Chunk}, bytes {range.Start} to {range.End} of '{range.Blob}')");
        }
        catch (DownstreamThrottledException ex)
        {
            return Refusal.Throttled(processorName, ex.Message, ex.RetryAfter);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Refusal.Unavailable($"The chunk's call was given up by its caller while processor '{processorName}' ran; nothing was committed.");
        }
        var result = new ChunkResult
        {
            JobId = request.JobId,
            Chunk = request.Chunk,
            Processor = processorName,
            Items = count,
            Result = accumulator.Complete(),
        };
        if (request.JobId is null)
        {
            return new ChunkProcessed(result, CommitKind.None); // a standalone chunk, as the seed had it
        }
        if (output is not null)
        {
            // The part is written before the commit, so a committed chunk always has its part; a retry
            // before the commit rewrites the same records.
            result.Output = await chunkStore.WriteOutputAsync(request.JobId, request.Chunk, processor.OutputFormat!, output.Written).ConfigureAwait(false);
        }
        var commit = await CommitAsync(new CommittedChunk
        {
            JobId = request.JobId, Chunk = result.Chunk, Processor = result.Processor, Items = result.Items, Result = result.Result, Output = result.Output,
        }).ConfigureAwait(false);
        return new ChunkProcessed(Answer(commit.Result), commit.IsDuplicate ? CommitKind.Duplicate : CommitKind.Created);
    }

    // The commit is a span of its own, and its latency a measurement, whether it wins or finds the chunk committed.
    private async Task<ChunkCommit> CommitAsync(CommittedChunk chunk)
    {
        using var activity = FanOutTelemetry.Start("commit", chunk.JobId);
        activity?.SetTag(FanOutTelemetry.ChunkTag, chunk.Chunk);
        var started = Stopwatch.GetTimestamp();
        var commit = await chunkStore.CommitChunkAsync(chunk).ConfigureAwait(false);
        FanOutTelemetry.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        activity?.SetTag("fanout.duplicate", commit.IsDuplicate);
        return commit;
    }

    // The answer of a chunk whose result stands committed (by this delivery or an earlier one).
    private static ChunkResult Answer(CommittedChunk committed) => new()
    {
        JobId = committed.JobId, Chunk = committed.Chunk, Processor = committed.Processor, Items = committed.Items, Result = committed.Result, Output = committed.Output,
    };
}
