using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Handles <c>start_fanout</c> and <c>resume</c>: stores the job (once per job id), hands it to a
/// <c>dispatch</c> invocation, and waits up to <c>waitSeconds</c> for it: 200 with the result when the job
/// finished in time, else 202 with its status and where to poll. It never dispatches chunks itself, so
/// answering early strands nothing.</summary>
public sealed class FanOutCoordinator(
    StartFanoutValidator validator, JobLedger ledger, SelfClient self, JobStatusBuilder status, SourcePlanner sources,
    JobIds jobIds, TimeProvider timeProvider, IOptions<FanOutOptions> options)
{
    // How long a call that stops waiting still waits for the dispatch run to show up in the ledger.
    private static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(10);

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
            // The blob's version is part of the job (and of its fingerprint): pin it before anything else.
            var pinned = await sources.PinAsync(source, cancellationToken).ConfigureAwait(false);
            if (pinned is null)
            {
                return BatchReply.Problem(Problems.SourceNotFound(source));
            }
            command = command with { Source = pinned };
        }
        var fingerprint = JobFingerprint.Of(command);
        var manifest = await ledger.GetManifestAsync(command.JobId, cancellationToken).ConfigureAwait(false)
                       ?? await CreateAsync(command, fingerprint, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            return BatchReply.Problem(Problems.SourceChanged(command.Source!));
        }
        if (manifest.Fingerprint != fingerprint)
        {
            return BatchReply.Problem(Problems.JobIdReused(command.JobId));
        }
        return await RunAsync(manifest, command.WaitSeconds, cancellationToken).ConfigureAwait(false);
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
            : await RunAsync(manifest, request.WaitSeconds ?? FanOutDefaults.WaitSeconds, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BatchReply> RunAsync(JobManifest manifest, int waitSeconds, CancellationToken cancellationToken)
    {
        if (await ledger.ReadResultAsync(manifest.JobId, cancellationToken).ConfigureAwait(false) is { Status: JobStatus.Succeeded } done)
        {
            return BatchReply.Json(200, done, FanOutJsonContext.Default.JobResult);
        }

        var runId = jobIds.NewId();
        var hopDeadline = TimeSpan.FromSeconds(options.Value.Dispatch.HopDeadlineSeconds);
        // Stop waiting a moment before the hop's own timeout, which would otherwise retry the hand-off.
        var waitFor = TimeSpan.FromSeconds(Math.Min(waitSeconds, hopDeadline.TotalSeconds - 1));
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = self.PostBatchAsync(ChunkBodies.Dispatch(manifest.JobId, runId), $"{manifest.JobId}/dispatch", abandon.Token, hopDeadline);
        try
        {
            if (await Task.WhenAny(call, Task.Delay(waitFor, timeProvider, cancellationToken)).ConfigureAwait(false) != call
                && !await DispatchStartedOrCallEndedAsync(manifest.JobId, runId, call, cancellationToken).ConfigureAwait(false))
            {
                // The dispatch run is known to be under way (the ledger shows it), so this call may stop
                // waiting for it: the run does not depend on its caller. (If it never shows up, the job is
                // still stored and its status says what is pending; resume finishes it.)
                var live = status.Live(manifest, await ledger.ReadSnapshotAsync(manifest.JobId, cancellationToken).ConfigureAwait(false));
                return BatchReply.Json(202, live, FanOutJsonContext.Default.JobResult) with
                {
                    Headers = new Dictionary<string, string> { ["Location"] = $"/api/batch/{manifest.JobId}", ["Retry-After"] = "2" },
                };
            }
            var answer = await call.ConfigureAwait(false);
            return answer.StatusCode == 200
                ? new BatchReply(200, "application/json; charset=utf-8", answer.Body)
                : BatchReply.Problem(Problems.DispatchFailed(manifest.JobId, answer));
        }
        finally
        {
            // Whatever this invocation answers, it leaves no call of its own running behind it.
            if (!call.IsCompleted)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
                await call.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    // True when the dispatch call itself ended while waiting for its run to show up in the ledger.
    private async Task<bool> DispatchStartedOrCallEndedAsync(string jobId, string runId, Task call, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        while (!call.IsCompleted
               && timeProvider.GetElapsedTime(started) < AcknowledgeTimeout
               && (await ledger.ReadDispatchMarkerAsync(jobId, cancellationToken).ConfigureAwait(false))?.RunId != runId)
        {
            await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(50), timeProvider, cancellationToken)).ConfigureAwait(false);
        }
        return call.IsCompleted;
    }

    // Stores a new job; null when its source blob was replaced while it was being planned.
    private async Task<JobManifest?> CreateAsync(StartFanoutCommand command, string fingerprint, CancellationToken cancellationToken)
    {
        if (command.Source is not { } source)
        {
            return await ledger.CreateAsync(NewManifest(command, fingerprint), ItemsOf(command), cancellationToken).ConfigureAwait(false);
        }
        SourcePlanner.Planned planned;
        try
        {
            planned = await sources.PlanAsync(source, command.ChunkSize, command.ChunkBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
        var manifest = NewManifest(command, fingerprint) with
        {
            Source = source,
            ChunkBytes = command.ChunkBytes,
            ItemCount = planned.Records,
            ChunkCount = planned.ChunkCount,
        };
        var plan = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(planned.Plan, FanOutJsonContext.Default.SourcePlan));
        return await ledger.CreateAsync(manifest, plan, cancellationToken).ConfigureAwait(false);
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
