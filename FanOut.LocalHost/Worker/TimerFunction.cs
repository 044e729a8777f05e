using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace FanOut.LocalHost.Worker;

/// <summary>One timer-triggered function as the worker reported it in its metadata: its id for invocations, its trigger
/// binding's name (the input an invocation carries the TimerInfo in) and its schedule as written, a <c>%setting%</c>
/// binding expression included.</summary>
/// <param name="Id">The function id the worker gave it.</param>
/// <param name="Name">The function's name.</param>
/// <param name="TriggerName">The name of its timer trigger binding.</param>
/// <param name="Schedule">Its schedule as the binding has it (an NCRONTAB expression, or <c>%name%</c> of the app setting that holds one).</param>
internal sealed record TimerFunction(string Id, string Name, string TriggerName, string Schedule)
{
    /// <summary>The timer-triggered function of <paramref name="metadata"/>, or null for another trigger.</summary>
    public static TimerFunction? FromMetadata(RpcFunctionMetadata metadata)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            if (Property(root, "type") is { } type && type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase)
                && Property(root, "name") is { } name && Property(root, "schedule") is { } schedule)
            {
                return new TimerFunction(metadata.FunctionId, metadata.Name, name, schedule);
            }
        }
        return null;
    }

    private static string? Property(JsonElement element, string name) =>
        element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } value
            ? value.GetString()
            : null;
}
