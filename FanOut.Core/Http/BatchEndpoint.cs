using System.Text.Json;
using FanOut.Core.Chunks;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Jobs;
using FanOut.Core.Ledger;
using FanOut.Core.Notices;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;
using FanOut.Core.Runs;
using FanOut.Core.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Http;

/// <summary>POST /api/batch and GET /api/batch/{jobId}: reads the request, checks an internal call's
/// signature, hands the body to the handler of its <c>action</c>, and turns the outcome into the answer
/// (<see cref="Replies"/>). The function classes of every host call this and only copy the
/// <see cref="BatchReply"/> onto their response. A storage failure is answered 503 with Retry-After.</summary>
public sealed class BatchEndpoint
{
    /// <summary>The request header that carries an internal call's signature: a function class passes its value
    /// to <see cref="PostAsync"/>.</summary>
    public const string SignatureHeader = InternalCallSigner.Header;

    private readonly JobAdmission _admission;
    private readonly JobCancellation _cancellation;
    private readonly JobUpdate _update;
    private readonly JobPurge _purge;
    private readonly JobListing _listing;
    private readonly ChunkWorker _worker;
    private readonly QuoteCounter _quotes;
    private readonly DispatchHandler _dispatch;
    private readonly IJobStore _jobStore;
    private readonly JobStatusReader _status;
    private readonly NoticeSender _notice;
    private readonly NoticeHandOff _notices;
    private readonly InternalCallSigner _signer;
    private readonly WaitingInvocations _waiting;
    private readonly FanOutOptions _options;
    private readonly ILogger<BatchEndpoint> _logger;

    internal BatchEndpoint(
        JobAdmission admission, JobCancellation cancellation, JobUpdate update, JobPurge purge, JobListing listing, ChunkWorker worker, QuoteCounter quotes, DispatchHandler dispatch, IJobStore jobStore,
        JobStatusReader status, NoticeSender notice, NoticeHandOff notices, InternalCallSigner signer, WaitingInvocations waiting, IOptions<FanOutOptions> options,
        ILogger<BatchEndpoint> logger)
    {
        _waiting = waiting;
        (_notice, _notices) = (notice, notices);
        (_cancellation, _update, _purge, _listing) = (cancellation, update, purge, listing);
        (_admission, _worker, _quotes, _dispatch, _jobStore, _status, _signer) = (admission, worker, quotes, dispatch, jobStore, status, signer);
        (_options, _logger) = (options.Value, logger);
    }

    /// <summary>Handles one POST.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="signature">The <c>X-FanOut-Signature</c> header, when the request has one.</param>
    /// <param name="cancellationToken">Signals that the caller went away; internal actions finish regardless.</param>
    public async Task<BatchReply> PostAsync(Stream body, string? signature, CancellationToken cancellationToken = default) =>
        Replies.Of(await PostOutcomeAsync(body, signature, cancellationToken).ConfigureAwait(false));

    /// <summary>Handles GET of a job's status: 404 for an unknown job.</summary>
    public async Task<BatchReply> GetJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        Replies.Of(await GuardAsync("status", async () => (await StatusAsync(jobId, cancellationToken).ConfigureAwait(false)).Outcome).ConfigureAwait(false));

    /// <summary>Handles GET of a job's status from a browser (the request accepts text/html): the status page; problems
    /// are problem+json all the same.</summary>
    public async Task<BatchReply> GetJobPageAsync(string jobId, CancellationToken cancellationToken = default) =>
        Replies.Of(await GuardAsync("status page", async () =>
        {
            // The manifest read once: a purge racing this read leaves the page a snapshot of the job, or 404 once it is gone.
            var (manifest, outcome) = await StatusAsync(jobId, cancellationToken).ConfigureAwait(false);
            return outcome is JobFinished { Job: var job }
                ? new JobPage(job, await _status.GridAsync(manifest!, job, cancellationToken).ConfigureAwait(false))
                : outcome;
        }).ConfigureAwait(false));

    private async Task<(JobManifest? Manifest, Outcome Outcome)> StatusAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!JobIds.IsValid(jobId))
        {
            return (null, Refusal.Invalid("jobId", "Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.") with { Detail = "Not a valid job id." });
        }
        var manifest = await _jobStore.GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            return (null, Refusal.UnknownJob(jobId));
        }
        if (await _jobStore.ReadResultAsync(jobId, cancellationToken).ConfigureAwait(false) is { } result)
        {
            // A notice still owed (its sender died before it was settled) is handed over again: one read when there is none.
            await _notices.AnnounceAsync(manifest, result).ConfigureAwait(false);
            return (manifest, new JobFinished(result));
        }
        return (manifest, new JobFinished(await _status.LiveAsync(manifest, cancellationToken).ConfigureAwait(false)));
    }

    /// <summary>Handles GET of the list of jobs: newest first, a page of at most <paramref name="top"/> (default 50), of one
    /// <paramref name="status"/> when given, from <paramref name="continuationToken"/> on.</summary>
    public async Task<BatchReply> ListJobsAsync(string? status, string? top, string? continuationToken, CancellationToken cancellationToken = default) =>
        Replies.Of(await GuardAsync("list", () => _listing.ListAsync(status, top, continuationToken, cancellationToken)).ConfigureAwait(false));

    /// <summary>Handles DELETE of a job: removes all its blobs (409 while a run holds it; 404 for an unknown job).</summary>
    public async Task<BatchReply> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        Replies.Of(await GuardAsync("purge", () => _purge.PurgeAsync(jobId, cancellationToken)).ConfigureAwait(false));

    private async Task<Outcome> PostOutcomeAsync(Stream body, string? signature, CancellationToken cancellationToken)
    {
        var (document, items, raw, refusal) = await RequestBody.ParseAsync(body, _options.Limits.MaxRequestBytes, _options.Limits.MaxInlineItems, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }
        using (document)
        {
            var root = document!.RootElement;
            var action = root.TryGetProperty("action", out var value) ? value : default;
            // No action means process_chunk (the seed's behaviour); one that is not a string is unknown, but
            // is checked as a chunk would be, so that a forged internal call learns nothing more.
            var name = action.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? BatchActions.ProcessChunk
                : action.ValueKind == JsonValueKind.String ? action.GetString() : null;
            if (Authenticate(name ?? BatchActions.ProcessChunk, root, raw.Span, signature) is { } refused)
            {
                return refused;
            }
            // An invocation that waits for others takes a place among them first, or is answered 503 at once: the instance
            // keeps a slot for the work they wait for.
            using var place = WaitingInvocations.Waits(name) ? _waiting.TryEnter(name!) : null;
            if (WaitingInvocations.Waits(name) && place is null)
            {
                Log.InstanceBusy(_logger, name!, _waiting.LimitOf(name!));
                return Refusal.InstanceBusy(name!, _waiting.LimitOf(name!));
            }
            return name switch
            {
                BatchActions.ProcessChunk => await GuardAsync(name, () => _worker.ProcessAsync(root, items, cancellationToken)).ConfigureAwait(false),
                BatchActions.StartFanout => await GuardAsync(name, () => _admission.StartAsync(root, items, cancellationToken)).ConfigureAwait(false),
                BatchActions.Resume => await GuardAsync(name, () => _admission.ResumeAsync(root, cancellationToken)).ConfigureAwait(false),
                BatchActions.Cancel => await GuardAsync(name, () => _cancellation.CancelAsync(root, cancellationToken)).ConfigureAwait(false),
                BatchActions.Update => await GuardAsync(name, () => _update.UpdateAsync(root, cancellationToken)).ConfigureAwait(false),
                BatchActions.Dispatch => await GuardAsync(name, () => _dispatch.RunAsync(root)).ConfigureAwait(false),
                BatchActions.DispatchNode => await GuardAsync(name, () => _dispatch.NodeAsync(root)).ConfigureAwait(false),
                BatchActions.CountQuotes => await GuardAsync(name, () => _quotes.CountAsync(root)).ConfigureAwait(false),
                BatchActions.Notify => await GuardAsync(name, () => _notice.SendAsync(root)).ConfigureAwait(false),
                _ => UnknownAction(action),
            };
        }
    }

    // Internal calls must be signed by this app: dispatch, count_quotes and notify always, process_chunk when it
    // names a job, a depth or a source. A standalone chunk of inline items (the seed's behaviour) writes and
    // calls nothing, so anyone holding the function key may still send one unsigned.
    private Refusal? Authenticate(string name, JsonElement root, ReadOnlySpan<byte> raw, string? signature)
    {
        var internalCall = name is BatchActions.Dispatch or BatchActions.DispatchNode or BatchActions.CountQuotes or BatchActions.Notify
                           || (name == BatchActions.ProcessChunk && (root.TryGetProperty("jobId", out _) || root.TryGetProperty("source", out _)
                               || (root.TryGetProperty("depth", out var depth) && !(depth.ValueKind == JsonValueKind.Number && depth.TryGetInt32(out var d) && d == 0))));
        if (!internalCall)
        {
            return null;
        }
        return _signer.Verify(signature, raw) switch
        {
            SignatureCheck.Valid => null,
            SignatureCheck.Missing => Refusal.Unsigned(name),
            SignatureCheck.Stale => Refusal.BadSignature($"is outside the {InternalCallSigner.Window.TotalMinutes:F0}-minute window"),
            SignatureCheck.Replayed => Refusal.BadSignature("was used before (a replay)"),
            _ => Refusal.BadSignature("does not match this call"),
        };
    }

    private async Task<Outcome> GuardAsync(string action, Func<Task<Outcome>> handle)
    {
        try
        {
            return await handle().ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            Log.StorageUnavailable(_logger, action, ex.Message);
            return Refusal.Unavailable(ex.Message);
        }
    }

    private static Refusal UnknownAction(JsonElement action)
    {
        var valid = string.Join(", ", BatchActions.All);
        var detail = action.ValueKind == JsonValueKind.String
            ? $"Unknown action '{ProblemText.Clip(action.GetString()!, ProblemText.MaxNameBytes)}'. Valid actions: {valid}."
            : $"The action must be a string. Valid actions: {valid}.";
        return Refusal.Invalid("action", $"Must be one of: {valid}.") with { Detail = detail };
    }
}
