using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary>The options of a processor that takes none: every field of a request's <c>options</c> is an error
/// ("This processor takes no options."); absent, null and <c>{}</c> are fine.</summary>
public sealed class NoOptions
{
    // Each field is refused by name, a non-object as JsonRequest refuses one; null when anything was refused.
    internal static NoOptions? Read(JsonElement options, FieldErrors errors)
    {
        if (options.ValueKind != JsonValueKind.Object)
        {
            errors.Add("options", "Must be a JSON object.");
            return null;
        }
        var refused = false;
        foreach (var property in options.EnumerateObject())
        {
            errors.Add(OptionErrors.Prefix + property.Name, "This processor takes no options.");
            refused = true;
        }
        return refused ? null : new NoOptions();
    }
}
