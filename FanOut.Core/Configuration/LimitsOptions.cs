using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>Bounds on what one request may ask for.</summary>
internal sealed class LimitsOptions
{
    /// <summary>Largest request body accepted; larger bodies get 413.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxRequestBytes { get; set; } = FanOutDefaults.MaxRequestBytes;

    /// <summary>Most inline items one start_fanout may carry.</summary>
    [Range(1, int.MaxValue)]
    public int MaxInlineItems { get; set; } = FanOutDefaults.MaxInlineItems;
}
