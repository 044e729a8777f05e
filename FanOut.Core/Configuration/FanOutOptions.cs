using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>Settings of the FanOut app, bound from the <c>FanOut</c> configuration section
/// (environment variables <c>FanOut__*</c>, or local.settings.json <c>Values</c>).</summary>
/// <remarks>Public for the hosts: LocalHost sets <see cref="SelfBaseUrl"/> once it listens (on a port it was given as 0),
/// and reads the defaults of <see cref="WatchdogOptions"/> and <see cref="PlatformOptions"/> to give its worker the app's
/// settings. The sections no host touches (Dispatch, Storage, Limits, Notify) are internal, bound by <c>AddFanOut</c>
/// section by section (a binder binds public properties only).</remarks>
public sealed class FanOutOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "FanOut";

    /// <summary>Root URL of this app (scheme, host, port), used for every self-call.
    /// It comes from configuration only, never from a request.</summary>
    [Required]
    public Uri? SelfBaseUrl { get; set; }

    /// <summary>Where a job's status is read: <c>{SelfBaseUrl}/api/batch/{jobId}</c>.</summary>
    internal string StatusUrl(string jobId) => new Uri(SelfBaseUrl!, $"/api/batch/{jobId}").AbsoluteUri;

    /// <summary>Sent as <c>x-functions-key</c> on self-calls when set.</summary>
    public string? FunctionKey { get; set; }

    /// <summary>The HMAC-SHA256 key that signs and verifies internal calls (at least 32 characters). Required,
    /// unless <see cref="LocalDevelopment"/> is on.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The key before the last rotation: internal calls it signed are still accepted (never used to sign).</summary>
    public string? PreviousSigningKey { get; set; }

    /// <summary>Local development only: without a <see cref="SigningKey"/>, internal calls are signed with a key
    /// made up at start-up, which only this process knows (one process is the whole app locally).</summary>
    public bool LocalDevelopment { get; set; }

    /// <summary>Completion notices: where a job's final status may go, and the key that signs it.</summary>
    internal NotifyOptions Notify { get; set; } = new();

    /// <summary>How chunks are dispatched to the app's own endpoint.</summary>
    [Required]
    internal DispatchOptions Dispatch { get; set; } = new();

    /// <summary>Where jobs are kept.</summary>
    [Required]
    internal StorageOptions Storage { get; set; } = new();

    /// <summary>The watchdog that resumes jobs whose run died.</summary>
    [Required]
    public WatchdogOptions Watchdog { get; set; } = new();

    /// <summary>The platform's invocation budget: slots per instance and instances.</summary>
    [Required]
    public PlatformOptions Platform { get; set; } = new();

    /// <summary>Limits on what one request may ask for.</summary>
    [Required]
    internal LimitsOptions Limits { get; set; } = new();

    /// <summary>The estimate before a run: its sample, instance size and price table.</summary>
    [Required]
    internal EstimateOptions Estimate { get; set; } = new();

    /// <summary>Every secret setting, by the app-setting name an operator sets it under, with its value: what is checked
    /// for a Key Vault reference the platform did not resolve. A new secret option belongs here.</summary>
    internal IEnumerable<(string Setting, string? Value)> Secrets() =>
    [
        ("FanOut__SigningKey", SigningKey),
        ("FanOut__PreviousSigningKey", PreviousSigningKey),
        ("FanOut__FunctionKey", FunctionKey),
        ("FanOut__Notify__SigningKey", Notify.SigningKey),
        (Storage.FromHostAccount ? "AzureWebJobsStorage" : "FanOut__Storage__ConnectionString", Storage.ConnectionString),
    ];
}
