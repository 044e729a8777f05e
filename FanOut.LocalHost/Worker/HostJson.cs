using System.Globalization;
using System.Text.Json;

namespace FanOut.LocalHost.Worker;

/// <summary>What LocalHost reads of host.json, as the Functions host does: the HTTP route prefix, the
/// HTTP throttles, the function timeout and the telemetry mode.</summary>
/// <param name="RoutePrefix">extensions.http.routePrefix ("api" when absent).</param>
/// <param name="MaxConcurrentRequests">extensions.http.maxConcurrentRequests: invocations run at once
/// (null: unbounded); the rest wait.</param>
/// <param name="MaxOutstandingRequests">extensions.http.maxOutstandingRequests: requests held at once, running
/// or waiting (null: unbounded); beyond it the host answers 429.</param>
/// <param name="FunctionTimeout">functionTimeout (null: none).</param>
/// <param name="OpenTelemetry">telemetryMode is <c>OpenTelemetry</c> (any case): the host exports its request spans
/// with OpenTelemetry (<see cref="HostTelemetry"/>); false for the default mode (Application Insights' SDK, which
/// LocalHost does not run).</param>
public sealed record HostJson(string RoutePrefix, int? MaxConcurrentRequests, int? MaxOutstandingRequests, TimeSpan? FunctionTimeout, bool OpenTelemetry = false)
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>host.json of the function app in <paramref name="appDirectory"/> (defaults when it has none).</summary>
    public static HostJson Load(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        return File.Exists(path) ? Parse(File.ReadAllText(path)) : new HostJson("api", null, null, null);
    }

    /// <summary>Reads host.json text.</summary>
    public static HostJson Parse(string json)
    {
        using var document = JsonDocument.Parse(json, Lenient);
        var root = document.RootElement;
        var http = root.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var h) ? h : default;
        return new HostJson(
            http.ValueKind == JsonValueKind.Object && http.TryGetProperty("routePrefix", out var prefix) ? prefix.GetString() ?? "api" : "api",
            Limit(http, "maxConcurrentRequests"),
            Limit(http, "maxOutstandingRequests"),
            root.TryGetProperty("functionTimeout", out var timeout) && timeout.GetString() is { Length: > 0 } t && t != "-1"
                ? TimeSpan.Parse(t, CultureInfo.InvariantCulture)
                : null,
            root.TryGetProperty("telemetryMode", out var mode) && mode.ValueKind == JsonValueKind.String
                && string.Equals(mode.GetString(), "OpenTelemetry", StringComparison.OrdinalIgnoreCase));
    }

    // -1 (the Functions host's "unbounded") and absence both mean no limit.
    private static int? Limit(JsonElement http, string name) =>
        http.ValueKind == JsonValueKind.Object && http.TryGetProperty(name, out var value) && value.GetInt32() is var n && n > 0 ? n : null;
}
