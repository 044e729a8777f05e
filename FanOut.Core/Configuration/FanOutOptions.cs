using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>Settings of the FanOut app, bound from the <c>FanOut</c> configuration section
/// (environment variables <c>FanOut__*</c>, or local.settings.json <c>Values</c>).</summary>
public sealed class FanOutOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "FanOut";

    /// <summary>Root URL of this app (scheme, host, port), used for every self-call.
    /// It comes from configuration only, never from a request.</summary>
    [Required]
    public Uri? SelfBaseUrl { get; set; }

    /// <summary>Sent as <c>x-functions-key</c> on self-calls when set.</summary>
    public string? FunctionKey { get; set; }

    /// <summary>How chunks are dispatched to the app's own endpoint.</summary>
    [Required]
    public DispatchOptions Dispatch { get; set; } = new();

    /// <summary>Where jobs are kept.</summary>
    [Required]
    public StorageOptions Storage { get; set; } = new();

    /// <summary>Limits on what one request may ask for.</summary>
    [Required]
    public LimitsOptions Limits { get; set; } = new();
}
