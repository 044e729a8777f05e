using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace FanOut.LocalHost.Worker;

/// <summary>One HTTP-triggered function as the worker reported it in its metadata: its id for invocations, its
/// trigger binding's name, and the route, methods and auth level of that binding.</summary>
internal sealed class WorkerFunction
{
    private readonly TemplateMatcher _route;

    private WorkerFunction(RpcFunctionMetadata metadata, JsonElement trigger, string routePrefix)
    {
        Id = metadata.FunctionId;
        Name = metadata.Name;
        TriggerName = trigger.GetProperty("name").GetString()!;
        Methods = trigger.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
            ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())]
            : [];
        var level = Property(trigger, "authLevel") ?? "function";
        RequiresKey = !level.Equals("anonymous", StringComparison.OrdinalIgnoreCase);
        var route = Property(trigger, "route") is { Length: > 0 } r ? r : Name;
        var prefix = routePrefix.Trim('/');
        Route = prefix.Length == 0 ? route : $"{prefix}/{route}";
        _route = new TemplateMatcher(TemplateParser.Parse(Route), new RouteValueDictionary());
    }

    /// <summary>The function id the worker gave it.</summary>
    public string Id { get; }

    /// <summary>The function's name.</summary>
    public string Name { get; }

    /// <summary>The name of its HTTP trigger binding (the input an invocation carries the request in).</summary>
    public string TriggerName { get; }

    /// <summary>Its route, the route prefix included.</summary>
    public string Route { get; }

    /// <summary>Methods it accepts (upper case); empty for any.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>True unless its auth level is anonymous.</summary>
    public bool RequiresKey { get; }

    /// <summary>The HTTP-triggered function of <paramref name="metadata"/>, or null for another trigger.</summary>
    public static WorkerFunction? FromMetadata(RpcFunctionMetadata metadata, string routePrefix)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            if (Property(binding.RootElement, "type") is { } type && type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase))
            {
                return new WorkerFunction(metadata, binding.RootElement.Clone(), routePrefix);
            }
        }
        return null;
    }

    /// <summary>True, with the route's values, when <paramref name="request"/> is for this function.</summary>
    public bool Matches(HttpRequest request, out RouteValueDictionary values)
    {
        values = [];
        return (Methods.Count == 0 || Methods.Contains(request.Method.ToUpperInvariant()))
               && _route.TryMatch(request.Path, values);
    }

    private static string? Property(JsonElement element, string name) =>
        element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } value
            ? value.GetString()
            : null;
}
