using System.Net.Http.Headers;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Ledger;
using FanOut.Core.Outcomes;
using FanOut.Core.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Notices;

/// <summary>The internal <c>notify</c> action: sends a job's completion notice, in an invocation of its own, so that a receiver
/// that is slow, silent or hostile delays nothing but its notice. It claims the notice (<c>notice.json</c>, a conditional write:
/// one sender at a time), POSTs the job's final status to its notify URL (<see cref="NoticePolicy"/>: retried on transient
/// failures, each attempt signed anew, no redirect followed, the answer's body never read) and records how it ended. Whatever
/// the transport or the policies throw ends as a notice given up and logged, never as this call's failure.</summary>
internal sealed class NoticeSender(HttpClient http, IJobStore jobStore, ISignalStore signalStore, TimeProvider timeProvider, IOptions<FanOutOptions> options, ILogger<NoticeSender> logger)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    /// <summary>Sends the notice of the job the body names, unless it is settled (sent, given up, or another sender's).</summary>
    public async Task<Outcome> SendAsync(JsonElement body)
    {
        var errors = new FieldErrors();
        var jobId = JsonRequest.Read(body, NoticesJsonContext.Default.NotifyJobRequest, errors)?.JobId ?? "";
        if (!errors.IsEmpty)
        {
            return Refusal.Invalid(errors);
        }
        if (!JobIds.IsValid(jobId))
        {
            return Refusal.Invalid("jobId", "Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.");
        }
        if (await jobStore.GetManifestAsync(jobId).ConfigureAwait(false) is not { } manifest)
        {
            return Refusal.UnknownJob(jobId);
        }
        var result = await jobStore.ReadResultAsync(jobId).ConfigureAwait(false);
        if (manifest.NotifyUrl is not { } url || result is null || !NoticeHandOff.IsFinal(result.Status) || options.Value.Notify.SigningKey is not { Length: > 0 })
        {
            return Answer(new NoticeAnswer(jobId, result?.Status, NoticeState.None));
        }
        var now = timeProvider.GetUtcNow();
        var claim = await signalStore.TryUpdateNoticeAsync(jobId, current => current?.Settles(result.Status, now) == true
            ? null
            : new JobNotice { Status = result.Status, ClaimedUntil = now + NoticePolicy.ClaimTerm }).ConfigureAwait(false);
        if (claim is null)
        {
            var settled = await signalStore.ReadNoticeAsync(jobId).ConfigureAwait(false);
            return Answer(new NoticeAnswer(jobId, result.Status, StateOf(settled), settled?.Error));
        }

        var error = await DeliverAsync(new Uri(url), result).ConfigureAwait(false);
        if (error is not null)
        {
            Log.NoticeNotDelivered(logger, jobId, error);
        }
        var ended = claim with { ClaimedUntil = null, NotifiedAt = error is null ? timeProvider.GetUtcNow() : null, Error = error };
        // Only over its own claim: a purge meanwhile (no record) or a newer status's sender (another record) is left as it is.
        await signalStore.TryUpdateNoticeAsync(jobId, current => current == claim ? ended : null).ConfigureAwait(false);
        return Answer(new NoticeAnswer(jobId, result.Status, StateOf(ended), error));
    }

    // Null when the receiver acknowledged the notice (2xx), else why not.
    private async Task<string?> DeliverAsync(Uri url, JobResult result)
    {
        // The allow-list is checked again at sending: a host taken off it since the job started gets nothing.
        if (!options.Value.Notify.Allows(url))
        {
            return $"{url.Authority} is no longer on FanOut__Notify__AllowedHosts";
        }
        try
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(result, FanOutJsonContext.Default.JobResult);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) { Headers = { ContentType = Json } } };
            request.Options.Set(NoticeSigningHandler.BodyOption, body);
            // Headers only: the answer's body is never read, whatever its size.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? null
                : status is >= 300 and < 400 ? $"HTTP {status}: a redirect, which a notice never follows"
                : $"HTTP {status}";
        }
        catch (Exception ex)
        {
            // Deliberately every exception: the connection's, the policies' (timeouts, rejections) and any other. A notice is the
            // receiver's business; its failure is recorded and logged, and fails neither this call nor the job.
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private static string StateOf(JobNotice? notice) => notice switch
    {
        { NotifiedAt: not null } => NoticeState.Delivered,
        { Error: not null } => NoticeState.GivenUp,
        not null => NoticeState.Claimed,
        _ => NoticeState.None,
    };

    private static Answered Answer(NoticeAnswer answer) => Answered.Of(answer, NoticesJsonContext.Default.NoticeAnswer);
}
