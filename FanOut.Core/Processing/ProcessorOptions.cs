using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary>Checks shared by the processors' option validation.</summary>
internal static class ProcessorOptions
{
    /// <summary>For processors that take no options: anything but an empty object is an error.</summary>
    public static void RejectAny(JsonElement options, FieldErrors errors)
    {
        if (options.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in options.EnumerateObject())
            {
                errors.Add($"options.{property.Name}", "This processor takes no options.");
            }
        }
        else if (options.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            errors.Add("options", "Must be a JSON object.");
        }
    }
}
