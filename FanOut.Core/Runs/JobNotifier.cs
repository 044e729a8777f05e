using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Diagnostics;
using FanOut.Core.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>Completion notices: when a job with a notify URL ends (Succeeded, Failed, Incomplete or Cancelled), its status
/// body is POSTed there, signed with <c>FanOut__Notify__SigningKey</c> (header <see cref="SignatureHeader"/>:
/// <c>t={unix seconds},sha256={hex HMAC-SHA256 of "{t}.{body}"}</c>), retried with backoff on transient failures (the
/// client's policy), and recorded (<c>notice.json</c>), so a job that ends again after a resume is announced again only if
/// its status changed. A notice that cannot be delivered is logged; the job's result stands.</summary>
internal sealed class JobNotifier(HttpClient http, IJobLedger ledger, TimeProvider timeProvider, IOptions<FanOutOptions> options, ILogger<JobNotifier> logger)
{
    /// <summary>The header that carries a notice's signature.</summary>
    public const string SignatureHeader = "X-FanOut-Notice-Signature";

    /// <summary>Sends the notice of <paramref name="result"/> when the job asked for one and has not announced this status yet.</summary>
    public async Task NotifyAsync(JobManifest manifest, JobResult result)
    {
        if (manifest.NotifyUrl is not { } url || result.Status is JobStatus.Pending or JobStatus.Running
            || options.Value.Notify.SigningKey is not { Length: > 0 } key)
        {
            return;
        }
        try
        {
            if ((await ledger.ReadNoticeAsync(manifest.JobId).ConfigureAwait(false))?.Status == result.Status)
            {
                return;
            }
            var body = JsonSerializer.SerializeToUtf8Bytes(result, FanOutJsonContext.Default.JobResult);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add(SignatureHeader, Sign(key, timeProvider.GetUtcNow().ToUnixTimeSeconds(), body));
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Log.NoticeNotDelivered(logger, manifest.JobId, $"HTTP {(int)response.StatusCode}");
                return;
            }
            await ledger.WriteNoticeAsync(manifest.JobId, new JobNotice { Status = result.Status, NotifiedAt = timeProvider.GetUtcNow() })
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or StorageUnavailableException)
        {
            Log.NoticeNotDelivered(logger, manifest.JobId, ex.Message);
        }
    }

    /// <summary>The signature header's value for a body sent at <paramref name="timestamp"/> (unix seconds).</summary>
    internal static string Sign(string key, long timestamp, ReadOnlySpan<byte> body)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        var signed = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t, signed);
        signed[t.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(t.Length + 1));
        return $"t={t},sha256={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), signed))}";
    }

    /// <summary>Whether a notice is worth sending again: a connection failure, 408, 429 or a 5xx.</summary>
    internal static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
}
