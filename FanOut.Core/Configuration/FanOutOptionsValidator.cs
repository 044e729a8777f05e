using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using NCrontab;

namespace FanOut.Core.Configuration;

/// <summary>Validates the options at start-up, nested sections included (DataAnnotations alone
/// checks only the top level), so that a bad setting stops the app with a message naming it.</summary>
internal sealed class FanOutOptionsValidator : IValidateOptions<FanOutOptions>
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    public ValidateOptionsResult Validate(string? name, FanOutOptions options)
    {
        var failures = new List<string>();
        Check(options, "FanOut", failures);
        Check(options.Dispatch, "FanOut:Dispatch", failures);
        Check(options.Limits, "FanOut:Limits", failures);
        Check(options.Storage, "FanOut:Storage", failures);
        Check(options.Notify, "FanOut:Notify", failures);
        Check(options.Watchdog, "FanOut:Watchdog", failures);
        Check(options.Platform, "FanOut:Platform", failures);
        Check(options.Estimate, "FanOut:Estimate", failures);
        Check(options.Estimate.Prices, "FanOut:Estimate:Prices", failures);
        if (options.Estimate.Sample > options.Estimate.MaxSample)
        {
            failures.Add($"FanOut:Estimate:Sample ({options.Estimate.Sample}) must not exceed FanOut:Estimate:MaxSample ({options.Estimate.MaxSample}).");
        }
        if (options.Watchdog.Schedule is { } schedule && CrontabSchedule.TryParse(schedule, WithSeconds) is null)
        {
            failures.Add($"FanOut:Watchdog:Schedule ('{schedule}') must be a six-field NCRONTAB expression, seconds first, "
                         + $"as a timer trigger takes it: e.g. '{WatchdogOptions.DefaultSchedule}' (every minute).");
        }
        var dispatch = options.Dispatch;
        if (dispatch.AttemptTimeoutSeconds >= dispatch.HopDeadlineSeconds)
        {
            failures.Add($"FanOut:Dispatch:AttemptTimeoutSeconds ({dispatch.AttemptTimeoutSeconds}) must be below HopDeadlineSeconds ({dispatch.HopDeadlineSeconds}).");
        }
        // Each dispatch level keeps a margin of its budget and gives the rest to the level below: the deepest
        // dispatchers (depth MaxDepth - 1) must still have time to send, or their chunks are never sent by any run.
        var budget = TimeSpan.FromSeconds(dispatch.HopDeadlineSeconds);
        for (var depth = 1; depth < dispatch.MaxDepth; depth++)
        {
            budget -= DispatchOptions.HopMargin(budget);
        }
        if (budget <= TimeSpan.Zero)
        {
            failures.Add($"FanOut:Dispatch:HopDeadlineSeconds ({dispatch.HopDeadlineSeconds}) is too short for MaxDepth ({dispatch.MaxDepth}): "
                         + $"each dispatch level keeps a margin of at least {DispatchOptions.HopMargin(TimeSpan.Zero).TotalSeconds} s, so dispatchers at depth "
                         + $"{dispatch.MaxDepth - 1} would have no time to send their chunks. Raise HopDeadlineSeconds or lower MaxDepth.");
        }
        CheckStorage(options.Storage, failures);
        if (options.SelfBaseUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            failures.Add("FanOut:SelfBaseUrl must be an absolute http(s) URL, e.g. http://localhost:7071.");
        }
        if (string.IsNullOrEmpty(options.SigningKey) && !options.LocalDevelopment)
        {
            failures.Add("FanOut:SigningKey is required: the HMAC key that signs the app's calls to itself (at least 32 characters, "
                         + "e.g. from `openssl rand -base64 48`). For local development only, set FanOut:LocalDevelopment=true instead.");
        }
        foreach (var (setting, key) in new[]
                 {
                     ("SigningKey", options.SigningKey), ("PreviousSigningKey", options.PreviousSigningKey), ("Notify:SigningKey", options.Notify.SigningKey),
                 })
        {
            // An unresolved Key Vault reference is not the key: SecretReadiness refuses work and says why (the role the
            // app's identity needs), which a length check would hide behind a misleading message.
            if (!string.IsNullOrEmpty(key) && key.Length < 32 && !KeyVaultReference.IsUnresolved(key))
            {
                failures.Add($"FanOut:{setting} must be at least 32 characters long.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Exactly one way to reach the storage: a connection string (an account key, or Azurite) or a service URI (an identity).
    private static void CheckStorage(StorageOptions storage, List<string> failures)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(storage.ConnectionString);
        if (storage.ServiceUri is { } uri)
        {
            // A bearer token is sent over TLS only: the storage SDK refuses an http endpoint at the first request.
            if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add("FanOut:Storage:ServiceUri must be the https URL of a Blob service, e.g. https://myaccount.blob.core.windows.net.");
            }
            if (hasConnectionString)
            {
                failures.Add("FanOut:Storage: set ConnectionString or ServiceUri, not both.");
            }
        }
        else if (!hasConnectionString)
        {
            failures.Add("FanOut:Storage:ConnectionString is required, or ServiceUri: set FanOut__Storage__ConnectionString or AzureWebJobsStorage "
                         + "(UseDevelopmentStorage=true for Azurite), or FanOut__Storage__ServiceUri (https://{account}.blob.core.windows.net, "
                         + "reached with the app's identity).");
        }
    }

    private static void Check(object section, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{path}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }
    }
}
