using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Processing;

/// <summary>Options of <c>project</c>.</summary>
internal sealed record ProjectOptions
{
    /// <summary>Fields to keep, as property paths (<c>"id"</c>, <c>"user.name"</c>); output keys are the paths.</summary>
    public string[]? Fields { get; set; }

    /// <summary>Keeps only the records where a field equals a value.</summary>
    public ProjectFilter? Where { get; set; }

    public const int MaxFields = 100;
}

/// <summary>A record filter of <c>project</c>: <c>{ "field": "status", "equals": "ok" }</c>.</summary>
internal sealed record ProjectFilter
{
    /// <summary>The property path to compare.</summary>
    public string? Field { get; set; }

    /// <summary>The JSON value it must equal.</summary>
    [JsonPropertyName("equals")]
    public JsonElement EqualTo { get; set; }
}

/// <summary>The partial and final result of <c>project</c>.</summary>
internal sealed class ProjectPartial
{
    /// <summary>Records read.</summary>
    public long Records { get; set; }

    /// <summary>Records written to the output.</summary>
    public long Emitted { get; set; }

    /// <summary>Records that are not JSON objects in valid Unicode.</summary>
    public long Invalid { get; set; }
}
