using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Planning;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using FanOut.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Admits jobs: <c>start_fanout</c> validates, stores the job once per job id (the same id with
/// another request is refused as a conflict; with the same request it is the existing job) and hands it to
/// <see cref="JobHandOff"/>; <c>resume</c> hands a stored job over again. <c>dryRun</c> goes to <see cref="JobPreview"/>.</summary>
internal sealed class JobAdmission(
    StartFanoutValidator validator, IJobStore jobStore, ISignalStore signalStore, JobHandOff handOff, JobPlanner planner, JobPreview preview, SourcePlanner sources,
    JobThrottle throttle, TimeProvider timeProvider)
{
    /// <summary>Starts (or, for a job id already stored with the same request, continues) a job.</summary>
    /// <param name="body">The request (its items stand as <c>[]</c>: they are <paramref name="items"/>).</param>
    /// <param name="items">The request's inline items, as they were sent.</param>
    /// <param name="cancellationToken">Signals that the caller went away.</param>
    public async Task<Outcome> StartAsync(JsonElement body, InlineItems items, CancellationToken cancellationToken = default)
    {
        // The root of the job's trace: every dispatcher and chunk descends from it through the self-calls.
        using var activity = FanOutTelemetry.Start("start_fanout");
        var errors = new FieldErrors();
        var command = validator.Validate(body, items, errors);
        if (command is null)
        {
            return Refusal.Invalid(errors);
        }
        activity?.SetTag(FanOutTelemetry.JobTag, command.JobId);

        if (command.Source is { } source)
        {
            // The blobs' versions are part of the job (and of its fingerprint): pin them before anything else.
            var pinned = await sources.PinAsync(source, cancellationToken).ConfigureAwait(false);
            if (pinned.Count == 0)
            {
                return Refusal.SourceNotFound(source);
            }
            command = command with { Pinned = pinned };
        }
        if (command.DryRun)
        {
            return await preview.PlanAsync(command, cancellationToken).ConfigureAwait(false);
        }
        var fingerprint = JobFingerprint.Of(command);
        // A job purged while this call hands it over (a DELETE racing a re-sent start) is started afresh, once: the request is whole.
        for (var round = 1; ; round++)
        {
            var manifest = await jobStore.GetManifestAsync(command.JobId, cancellationToken).ConfigureAwait(false);
            if (manifest is null)
            {
                Refusal? refusal;
                (manifest, refusal) = await CreateAsync(command, fingerprint, cancellationToken).ConfigureAwait(false);
                if (refusal is not null)
                {
                    return refusal;
                }
            }
            if (!JobFingerprint.Matches(manifest!, command, fingerprint))
            {
                return Refusal.JobIdReused(command.JobId);
            }
            activity?.SetTag("fanout.chunks", manifest!.ChunkCount);
            var outcome = await handOff.RunAsync(manifest!, command.WaitSeconds, cancellationToken).ConfigureAwait(false);
            if (round == 2 || outcome is not Refused { Refusal.Kind: RefusalKind.UnknownJob })
            {
                return outcome;
            }
        }
    }

    /// <summary>Finishes a stored job, re-dispatching only the chunks with no committed result.</summary>
    public async Task<Outcome> ResumeAsync(JsonElement body, CancellationToken cancellationToken = default)
    {
        using var activity = FanOutTelemetry.Start("resume");
        var (request, manifest, refusal) = await StoredJobRequest.ReadAsync(body, "resume", jobStore, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        activity?.SetTag(FanOutTelemetry.JobTag, manifest!.JobId);
        // A cancelled job runs again: what was left when it stopped.
        await signalStore.DeleteCancelAsync(manifest!.JobId, cancellationToken).ConfigureAwait(false);
        throttle.NoteResumed(manifest.JobId);
        return await handOff.RunAsync(manifest, request!.WaitSeconds ?? FanOutDefaults.WaitSeconds, cancellationToken).ConfigureAwait(false);
    }

    // Stores a new job as planned (JobPlanner), or answers why it has no plan.
    private async Task<(JobManifest? Manifest, Refusal? Refusal)> CreateAsync(StartFanoutCommand command, string fingerprint, CancellationToken cancellationToken)
    {
        var (planned, refusal) = await planner.PlanAsync(command, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return (null, refusal);
        }
        var manifest = NewManifest(command, fingerprint) with { ItemCount = planned!.Records, ChunkCount = planned.Chunks };
        if (planned.Source is not { } plan)
        {
            manifest = manifest with { InputBlob = LedgerPaths.Items(command.JobId, fingerprint) };
            return (await jobStore.CreateAsync(manifest, ItemLines.Write(command.Items, command.ChunkSize), cancellationToken).ConfigureAwait(false), null);
        }
        manifest = manifest with { Source = command.Source, ChunkBytes = command.ChunkBytes };
        var stored = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(plan, LedgerJsonContext.Default.SourcePlan));
        return (await jobStore.CreateAsync(manifest, stored, cancellationToken).ConfigureAwait(false), null);
    }

    private JobManifest NewManifest(StartFanoutCommand command, string fingerprint) => new()
    {
        JobId = command.JobId,
        Fingerprint = fingerprint,
        FingerprintVersion = JobFingerprint.Version,
        Processor = command.Processor.Name,
        Options = command.Options.ValueKind == JsonValueKind.Undefined ? null : command.Options,
        ChunkSize = command.ChunkSize,
        ToleratedFailurePercent = command.ToleratedFailurePercent,
        ToleratedFailureCount = command.ToleratedFailureCount,
        MaxConcurrency = command.MaxConcurrency,
        NotifyUrl = command.NotifyUrl?.AbsoluteUri,
        CreatedAt = timeProvider.GetUtcNow(),
        InputBlob = LedgerPaths.Input(command.JobId, fingerprint),
    };
}
