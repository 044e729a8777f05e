using System.Runtime.InteropServices;
using System.Text;
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

    private ProjectPaths? _paths;

    /// <summary>The fields and the filter as <c>project</c> looks them up in each record, worked out once per chunk.</summary>
    internal ProjectPaths Paths => _paths ??= new ProjectPaths(this);
}

/// <summary>Each property path of <see cref="ProjectOptions"/> as its UTF-8 steps ("user.name": "user", "name"),
/// and the filter's value as UTF-8 (a string unescaped, a number as written).</summary>
internal sealed class ProjectPaths
{
    public ProjectPaths(ProjectOptions options)
    {
        Fields = [.. (options.Fields ?? []).Select(Steps)];
        if (options.Where is { Field: { } field } where)
        {
            Where = Steps(field);
            EqualTo = where.EqualTo.ValueKind switch
            {
                JsonValueKind.String => Encoding.UTF8.GetBytes(where.EqualTo.GetString()!),
                JsonValueKind.Number => JsonMarshal.GetRawUtf8Value(where.EqualTo).ToArray(),
                _ => null,
            };
        }
    }

    public byte[][][] Fields { get; }

    public byte[][]? Where { get; }

    public byte[]? EqualTo { get; }

    private static byte[][] Steps(string path) => [.. path.Split('.').Select(Encoding.UTF8.GetBytes)];
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
