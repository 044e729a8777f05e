using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Jobs;
using FanOut.Core.Ledger;
using FanOut.Core.Requests;
using FanOut.Core.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Http;

/// <summary>POST /api/batch and GET /api/batch/{jobId}: reads the request and hands it to the handler of its
/// <c>action</c>. The function classes of every host call this and only map the <see cref="BatchReply"/> to
/// HTTP. A transient storage failure is answered 503 with Retry-After, so callers' policies retry it.</summary>
public sealed class BatchEndpoint(
    FanOutCoordinator coordinator, ChunkWorker worker, QuoteCounter quotes, JobRunner runner, JobLedger ledger, JobStatusBuilder status,
    InternalCallSigner signer, IOptions<FanOutOptions> options, ILogger<BatchEndpoint> logger)
{
    /// <summary>Handles one POST.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="signature">The <c>X-FanOut-Signature</c> header, when the request has one.</param>
    /// <param name="cancellationToken">Signals that the caller went away; internal actions finish regardless.</param>
    public async Task<BatchReply> PostAsync(Stream body, string? signature, CancellationToken cancellationToken = default)
    {
        var (document, raw, problem) = await RequestBody.ParseAsync(body, options.Value.Limits.MaxRequestBytes, cancellationToken)
            .ConfigureAwait(false);
        if (problem is not null)
        {
            return BatchReply.Problem(problem);
        }
        using (document)
        {
            var root = document!.RootElement;
            var action = root.TryGetProperty("action", out var value) ? value : default;
            var name = action.ValueKind == JsonValueKind.String ? action.GetString() : null;
            if (Authenticate(name ?? BatchActions.ProcessChunk, action, root, raw.Span, signature) is { } refused)
            {
                return refused;
            }
            return action.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                ? await GuardAsync(BatchActions.ProcessChunk, () => worker.ProcessAsync(root)).ConfigureAwait(false)
                : name switch
                {
                    BatchActions.ProcessChunk => await GuardAsync(name, () => worker.ProcessAsync(root)).ConfigureAwait(false),
                    BatchActions.StartFanout => await GuardAsync(name, () => coordinator.StartAsync(root, cancellationToken)).ConfigureAwait(false),
                    BatchActions.Resume => await GuardAsync(name, () => coordinator.ResumeAsync(root, cancellationToken)).ConfigureAwait(false),
                    BatchActions.Dispatch => await GuardAsync(name, () => runner.HandleAsync(root)).ConfigureAwait(false),
                    BatchActions.CountQuotes => await GuardAsync(name, () => quotes.CountAsync(root)).ConfigureAwait(false),
                    _ => UnknownAction(action),
                };
        }
    }

    /// <summary>Handles GET of a job's status: 404 for an unknown job.</summary>
    public Task<BatchReply> GetJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        GuardAsync("status", async () =>
        {
            if (!JobIds.IsValid(jobId))
            {
                return BatchReply.Problem(Problems.Validation("Not a valid job id.",
                    new Dictionary<string, string[]> { ["jobId"] = ["Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'."] }));
            }
            var manifest = await ledger.GetManifestAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (manifest is null)
            {
                return BatchReply.Problem(Problems.UnknownJob(jobId));
            }
            var job = await ledger.ReadResultAsync(jobId, cancellationToken).ConfigureAwait(false)
                      ?? status.Live(manifest, await ledger.ReadSnapshotAsync(jobId, cancellationToken).ConfigureAwait(false));
            return BatchReply.Json(200, job, FanOutJsonContext.Default.JobResult);
        });

    // Internal calls must be signed by this app: dispatch and count_quotes always, process_chunk when it
    // names a job, a depth or a source. A standalone chunk of inline items (the seed's behaviour) writes and
    // calls nothing, so anyone holding the function key may still send one unsigned.
    private BatchReply? Authenticate(string name, JsonElement action, JsonElement root, ReadOnlySpan<byte> raw, string? signature)
    {
        var isChunk = action.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null || name == BatchActions.ProcessChunk;
        var internalCall = name is BatchActions.Dispatch or BatchActions.CountQuotes
                           || (isChunk && (root.TryGetProperty("jobId", out _) || root.TryGetProperty("source", out _)
                                           || (root.TryGetProperty("depth", out var depth) && !(depth.ValueKind == JsonValueKind.Number && depth.TryGetInt32(out var d) && d == 0))));
        if (!internalCall)
        {
            return null;
        }
        return signer.Verify(signature, raw) switch
        {
            SignatureCheck.Valid => null,
            SignatureCheck.Missing => BatchReply.Problem(Problems.Unsigned(name)),
            SignatureCheck.Stale => BatchReply.Problem(Problems.BadSignature($"is outside the {InternalCallSigner.Window.TotalMinutes:F0}-minute window")),
            SignatureCheck.Replayed => BatchReply.Problem(Problems.BadSignature("was used before (a replay)")),
            _ => BatchReply.Problem(Problems.BadSignature("does not match this call")),
        };
    }

    private async Task<BatchReply> GuardAsync(string action, Func<Task<BatchReply>> handle)
    {
        try
        {
            return await handle().ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            Log.StorageUnavailable(logger, action, ex.Message);
            return BatchReply.Problem(Problems.Unavailable(ex.Message)) with
            {
                Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
            };
        }
    }

    private static BatchReply UnknownAction(JsonElement action)
    {
        var valid = string.Join(", ", BatchActions.All);
        var detail = action.ValueKind == JsonValueKind.String
            ? $"Unknown action '{action.GetString()}'. Valid actions: {valid}."
            : $"The action must be a string. Valid actions: {valid}.";
        var errors = new Dictionary<string, string[]> { ["action"] = [$"Must be one of: {valid}."] };
        return BatchReply.Problem(Problems.Validation(detail, errors));
    }
}
