using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using FanOut.Core.Requests;
using FanOut.Core.Planning;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Handles <c>start_fanout</c> and <c>resume</c>: validates, stores the job (once per job id; the
/// same id with another request is 409) and hands it to <see cref="JobHandOff"/>.</summary>
public sealed class FanOutCoordinator(
    StartFanoutValidator validator, JobLedger ledger, JobHandOff handOff, SourcePlanner sources, TimeProvider timeProvider,
    IOptions<FanOutOptions> options)
{
    /// <summary>Starts (or, for a job id already stored with the same request, continues) a job.</summary>
    public async Task<BatchReply> StartAsync(JsonElement body, CancellationToken cancellationToken = default)
    {
        var errors = new FieldErrors();
        var command = validator.Validate(body, errors);
        if (command is null)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }

        if (command.Source is { } source)
        {
            // The blobs' versions are part of the job (and of its fingerprint): pin them before anything else.
            var pinned = await sources.PinAsync(source, cancellationToken).ConfigureAwait(false);
            if (pinned.Count == 0)
            {
                return BatchReply.Problem(Problems.SourceNotFound(source));
            }
            command = command with { Pinned = pinned };
        }
        if (command.DryRun)
        {
            return await PlanOnlyAsync(command, cancellationToken).ConfigureAwait(false);
        }
        var fingerprint = JobFingerprint.Of(command);
        var manifest = await ledger.GetManifestAsync(command.JobId, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            BatchReply? refusal;
            (manifest, refusal) = await CreateAsync(command, fingerprint, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }
        }
        if (manifest!.Fingerprint != fingerprint)
        {
            return BatchReply.Problem(Problems.JobIdReused(command.JobId));
        }
        return await handOff.RunAsync(manifest, command.WaitSeconds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a stored job, re-dispatching only the chunks with no committed result.</summary>
    public async Task<BatchReply> ResumeAsync(JsonElement body, CancellationToken cancellationToken = default)
    {
        var errors = new FieldErrors();
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.ResumeRequest, errors);
        if (request is not null && (request.JobId is null || !JobIds.IsValid(request.JobId)))
        {
            errors.Add("jobId", "Required: the id of the job to resume (1 to 64 of A-Z, a-z, 0-9, '_', '-').");
        }
        StartFanoutValidator.ValidateWaitSeconds(request?.WaitSeconds, errors);
        if (!errors.IsEmpty)
        {
            return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
        }
        var manifest = await ledger.GetManifestAsync(request!.JobId!, cancellationToken).ConfigureAwait(false);
        return manifest is null
            ? BatchReply.Problem(Problems.UnknownJob(request.JobId!))
            : await handOff.RunAsync(manifest, request.WaitSeconds ?? FanOutDefaults.WaitSeconds, cancellationToken).ConfigureAwait(false);
    }

    // dryRun: the plan of the job, with nothing written and nothing dispatched (a source is read to plan it).
    private async Task<BatchReply> PlanOnlyAsync(StartFanoutCommand command, CancellationToken cancellationToken)
    {
        JobPlan plan;
        if (command.Source is { } source)
        {
            SourcePlanner.Planned planned;
            try
            {
                planned = await sources.PlanAsync(source, command.Pinned!, command.ChunkSize, command.ChunkBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                return BatchReply.Problem(Problems.SourceChanged(source));
            }
            var chunks = planned.Plan.Chunks;
            var largest = chunks.Select((c, i) => (Index: i, Bytes: c.End - c.Start)).DefaultIfEmpty().MaxBy(c => c.Bytes);
            var countsQuotes = source.Format == "csv" && command.ChunkBytes > 0;
            plan = new JobPlan
            {
                JobId = command.JobId,
                Processor = command.Processor.Name,
                Chunks = chunks.Count,
                Items = command.ChunkBytes > 0 ? null : planned.Records,
                Source = new PlannedSource(command.Pinned!.Count, command.Pinned.Sum(b => b.Length)),
                LargestChunk = chunks.Count == 0 ? null : new PlannedChunkSize(largest.Index, null, largest.Bytes),
                TreeLevels = DispatchTree.Shape(chunks.Count, options.Value.Dispatch.FanoutWidth),
                Invocations = 1L + DispatchTree.Shape(chunks.Count, options.Value.Dispatch.FanoutWidth).Sum(level => (long)level)
                              + (countsQuotes ? chunks.Count : 0),
            };
        }
        else
        {
            var chunks = (int)(((long)command.Items.Count + command.ChunkSize - 1) / command.ChunkSize);
            plan = new JobPlan
            {
                JobId = command.JobId,
                Processor = command.Processor.Name,
                Chunks = chunks,
                Items = command.Items.Count,
                LargestChunk = chunks == 0 ? null : new PlannedChunkSize(0, Math.Min(command.ChunkSize, command.Items.Count), null),
                TreeLevels = DispatchTree.Shape(chunks, options.Value.Dispatch.FanoutWidth),
                Invocations = 1L + DispatchTree.Shape(chunks, options.Value.Dispatch.FanoutWidth).Sum(level => (long)level),
            };
        }
        return TooManyChunks(command, plan.Chunks) ?? BatchReply.Json(200, plan, FanOutJsonContext.Default.JobPlan);
    }

    // Stores a new job, or answers why not: its source blob was replaced while it was being planned, or it
    // has more chunks than its dispatch tree reaches.
    private async Task<(JobManifest? Manifest, BatchReply? Refusal)> CreateAsync(StartFanoutCommand command, string fingerprint, CancellationToken cancellationToken)
    {
        if (command.Source is not { } source)
        {
            var inline = NewManifest(command, fingerprint);
            return TooManyChunks(command, inline.ChunkCount) is { } tooMany
                ? (null, tooMany)
                : (await ledger.CreateAsync(inline, ItemsOf(command), cancellationToken).ConfigureAwait(false), null);
        }
        SourcePlanner.Planned planned;
        try
        {
            planned = await sources.PlanAsync(source, command.Pinned!, command.ChunkSize, command.ChunkBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return (null, BatchReply.Problem(Problems.SourceChanged(source)));
        }
        if (TooManyChunks(command, planned.Plan.Chunks.Count) is { } refusal)
        {
            return (null, refusal);
        }
        var manifest = NewManifest(command, fingerprint) with
        {
            Source = source,
            ChunkBytes = command.ChunkBytes,
            ItemCount = planned.Records,
            ChunkCount = planned.Plan.Chunks.Count,
        };
        var plan = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(planned.Plan, FanOutJsonContext.Default.SourcePlan));
        return (await ledger.CreateAsync(manifest, plan, cancellationToken).ConfigureAwait(false), null);
    }

    // A job's process_chunk calls arrive FanoutWidth-ary levels below the top dispatcher (depth 1), and no
    // deeper than MaxDepth: that bounds its chunks. Refused up front, it costs nothing; found out mid-run,
    // it would be a 508 and a job that can never finish.
    private BatchReply? TooManyChunks(StartFanoutCommand command, int chunks)
    {
        var dispatch = options.Value.Dispatch;
        var max = DispatchTree.MaxChunks(dispatch.FanoutWidth, dispatch.MaxDepth);
        if (chunks <= max)
        {
            return null;
        }
        var errors = new FieldErrors();
        errors.Add(command.ChunkBytes > 0 ? "chunkBytes" : "chunkSize",
            $"The job would have {chunks} chunks, more than its dispatch tree reaches: {max} (FanoutWidth {dispatch.FanoutWidth} "
            + $"to the power MaxDepth - 1 = {dispatch.MaxDepth - 1}). Use larger chunks.");
        return BatchReply.Problem(Problems.Validation(errors.Summary(), errors.ToDictionary()));
    }

    private JobManifest NewManifest(StartFanoutCommand command, string fingerprint) => new()
    {
        JobId = command.JobId,
        Fingerprint = fingerprint,
        Processor = command.Processor.Name,
        Options = command.Options.ValueKind == JsonValueKind.Undefined ? null : command.Options,
        ChunkSize = command.ChunkSize,
        ItemCount = command.Items.Count,
        ChunkCount = (int)(((long)command.Items.Count + command.ChunkSize - 1) / command.ChunkSize),
        ToleratedFailurePercent = command.ToleratedFailurePercent,
        MaxConcurrency = command.MaxConcurrency,
        CreatedAt = timeProvider.GetUtcNow(),
        InputBlob = LedgerPaths.Input(command.JobId, fingerprint),
    };

    private static BinaryData ItemsOf(StartFanoutCommand command)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(command.Items.Count * 8 + 2);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var item in command.Items)
            {
                item.WriteTo(json);
            }
            json.WriteEndArray();
        }
        return BinaryData.FromBytes(buffer.WrittenMemory);
    }
}
