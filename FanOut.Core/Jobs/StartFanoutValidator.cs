using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Processing;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Jobs;

/// <summary>Checks a start_fanout body field by field and turns it into a <see cref="StartFanoutCommand"/>.</summary>
internal sealed class StartFanoutValidator(ChunkProcessors processors, JobIds jobIds, SourceBlobs sources, IOptions<FanOutOptions> options)
{
    /// <summary>The command, or null with <paramref name="errors"/> saying why. In <paramref name="body"/> the items
    /// array stands as <c>[]</c>: its items are <paramref name="inline"/>.</summary>
    internal StartFanoutCommand? Validate(JsonElement body, InlineItems inline, FieldErrors errors)
    {
        var request = JsonRequest.Read(body, FanOutJsonContext.Default.StartFanoutRequest, errors, rawFields: StartFanoutRequest.RawFields)
            ?.WithRawFieldsOf(body);
        if (request is null)
        {
            return null;
        }
        var limits = options.Value.Limits;
        var dispatch = options.Value.Dispatch;

        if (request.JobId is { } jobId && !JobIds.IsValid(jobId))
        {
            errors.Add("jobId", "Must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.");
        }

        var processor = processors.Named(request.Processor ?? FanOutDefaults.Processor, errors);
        processor?.ValidateOptions(request.Options, errors);

        var items = InlineItems.None;
        if (request.Source is { } source)
        {
            // Nested fields are checked as strictly as top-level ones (e.g. "prefix" is not supported yet).
            JsonRequest.Read(body.GetProperty("source"), FanOutJsonContext.Default.SourceReference, errors, "source.");
            if (request.Items.ValueKind != JsonValueKind.Undefined)
            {
                errors.Add("items", "Give either items or source, not both.");
            }
            sources.Validate(source, errors);
            if (request.ChunkBytes is { } bytes && request.ChunkSize is not null)
            {
                errors.Add("chunkBytes", "Give either chunkSize (whole records) or chunkBytes (byte ranges), not both.");
            }
            else if (request.ChunkBytes is < MinChunkBytes)
            {
                errors.Add("chunkBytes", $"Must be at least {MinChunkBytes} (64 KiB).");
            }
            else if (request.ChunkBytes is not null && source.Format == SourceFormat.Json)
            {
                errors.Add("chunkBytes", "A JSON array is cut by its elements: give chunkSize, not chunkBytes.");
            }
        }
        else if (request.ChunkBytes is not null)
        {
            errors.Add("chunkBytes", "Only for a blob source; inline items are chunked by chunkSize.");
        }
        else if (request.Items.ValueKind != JsonValueKind.Array)
        {
            errors.Add("items", "Required (or a source): a JSON array of the items to process.");
        }
        else if (inline.Count > limits.MaxInlineItems)
        {
            errors.Add("items", $"At most {limits.MaxInlineItems} inline items (FanOut__Limits__MaxInlineItems).");
        }
        else
        {
            items = inline;
        }

        if (request.ChunkSize is < 1 or > FanOutDefaults.MaxChunkSize)
        {
            errors.Add("chunkSize", $"Must be between 1 and {FanOutDefaults.MaxChunkSize}.");
        }
        if (request.MaxConcurrency is < 1 || request.MaxConcurrency > dispatch.MaxConcurrency)
        {
            errors.Add("maxConcurrency", $"Must be between 1 and {dispatch.MaxConcurrency} (FanOut__Dispatch__MaxConcurrency).");
        }

        if (request.ToleratedFailurePercent is < 0 or > 100 || request.ToleratedFailurePercent is double.NaN)
        {
            errors.Add("toleratedFailurePercent", "Must be between 0 and 100.");
        }
        if (request.ToleratedFailureCount is < 0)
        {
            errors.Add("toleratedFailureCount", "Must be 0 or more.");
        }
        ValidateWaitSeconds(request.WaitSeconds, errors);
        var notifyUrl = request.Notify is null ? null : ValidateNotify(body, errors);
        var estimateSample = request.Estimate is null ? null : ValidateEstimate(body, request.DryRun, errors);

        return errors.IsEmpty
            ? new StartFanoutCommand(
                request.JobId ?? jobIds.NewId(),
                processor!,
                request.Options,
                items,
                request.ChunkSize ?? FanOutDefaults.ChunkSize,
                request.Source is { } given ? given with { Format = given.Format ?? SourceFormat.Lines } : null,
                request.ChunkBytes ?? 0,
                request.MaxConcurrency ?? dispatch.MaxConcurrency,
                // No failure is tolerated unless a limit is given; a count given alone is the only limit.
                request.ToleratedFailurePercent ?? (request.ToleratedFailureCount is null ? 0 : 100),
                request.WaitSeconds ?? FanOutDefaults.WaitSeconds,
                DryRun: request.DryRun ?? estimateSample is not null,
                NotifyUrl: notifyUrl,
                ToleratedFailureCount: request.ToleratedFailureCount,
                EstimateSample: estimateSample)
            : null;
    }

    // notify: { url }: an absolute http(s) URL to a host on FanOut__Notify__AllowedHosts, with a signing key configured.
    // No other field of a request names a host (no SSRF).
    private Uri? ValidateNotify(JsonElement body, FieldErrors errors)
    {
        var notify = JsonRequest.Read(body.GetProperty("notify"), FanOutJsonContext.Default.NotifyRequest, errors, "notify.");
        if (notify is null)
        {
            return null;
        }
        var settings = options.Value.Notify;
        if (!Uri.TryCreate(notify.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || url.UserInfo.Length > 0)
        {
            errors.Add("notify.url", "Required: an absolute https:// (or http://) URL, without user information.");
        }
        else if (!settings.Allows(url))
        {
            errors.Add("notify.url", url.IsDefaultPort
                ? $"Host '{url.Host}' is not on FanOut__Notify__AllowedHosts."
                : $"'{url.Authority}' is not on FanOut__Notify__AllowedHosts (a host on another port than its scheme's default is allowed as host:port).");
        }
        else if (string.IsNullOrEmpty(settings.SigningKey))
        {
            errors.Add("notify.url", "Notices are not set up here: FanOut__Notify__SigningKey is not configured.");
        }
        else
        {
            return url;
        }
        return null;
    }

    // estimate: { sample }: a dry run that also runs a sample of the chunks; the sample between 1 and FanOut__Estimate__MaxSample.
    private int? ValidateEstimate(JsonElement body, bool? dryRun, FieldErrors errors)
    {
        var estimate = JsonRequest.Read(body.GetProperty("estimate"), FanOutJsonContext.Default.EstimateRequest, errors, "estimate.");
        if (estimate is null)
        {
            return null;
        }
        var settings = options.Value.Estimate;
        if (dryRun == false)
        {
            errors.Add("estimate", "An estimate is a dry run (nothing is committed or written): leave dryRun out, or true.");
            return null;
        }
        if (estimate.Sample is < 1 || estimate.Sample > settings.MaxSample)
        {
            errors.Add("estimate.sample", $"Must be between 1 and {settings.MaxSample} (FanOut__Estimate__MaxSample).");
            return null;
        }
        return estimate.Sample ?? settings.Sample;
    }

    /// <summary>Smallest byte range a blob source may be cut into.</summary>
    public const long MinChunkBytes = 64 * 1024;

    /// <summary>waitSeconds, when given, must be 0..200 (Azure cuts an HTTP call at 230 s).</summary>
    internal static void ValidateWaitSeconds(int? waitSeconds, FieldErrors errors)
    {
        if (waitSeconds is < 0 or > FanOutDefaults.MaxWaitSeconds)
        {
            errors.Add("waitSeconds", $"Must be between 0 and {FanOutDefaults.MaxWaitSeconds}.");
        }
    }
}
