using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Contracts;

namespace FanOut.Core.Requests;

/// <summary>Reads a request body into its model strictly: unknown fields and wrong types become
/// per-field errors, never exceptions.</summary>
internal static class JsonRequest
{
    private static readonly ConditionalWeakTable<JsonTypeInfo, string[]> KnownFields = new();

    /// <param name="root">The body, or the part of it that the model describes.</param>
    /// <param name="typeInfo">The model.</param>
    /// <param name="errors">Where problems are reported.</param>
    /// <param name="fieldPrefix">Put before field names in errors (e.g. "options.").</param>
    /// <param name="rawFields">Fields the caller takes from <paramref name="root"/> as they are
    /// : the model marks them [JsonIgnore], so that large values such as the items
    /// are never copied.</param>
    public static T? Read<T>(JsonElement root, JsonTypeInfo<T> typeInfo, FieldErrors errors, string fieldPrefix = "", params string[] rawFields)
        where T : class
    {
        var known = KnownFields.GetValue(typeInfo, info => [.. info.Properties.Select(p => p.Name).Concat(rawFields)]);
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(fieldPrefix.TrimEnd('.') is { Length: > 0 } name ? name : "$", "Must be a JSON object.");
            return null;
        }
        var given = new bool[known.Length];
        foreach (var property in root.EnumerateObject())
        {
            var index = IndexOf(property, known);
            if (index >= 0 && given[index])
            {
                // Which of two values counts is not for the reader to guess (System.Text.Json would take the last).
                errors.Add(fieldPrefix + known[index], "Given more than once.");
            }
            else if (index >= 0)
            {
                given[index] = true;
            }
            else
            {
                var name = fieldPrefix + property.Name;
                if (!errors.Lists(name))
                {
                    errors.Add(name, "Unknown field.");   // past the listed errors: only counted, no hint looked for
                }
                else if (!errors.Names(name))
                {
                    var hint = property.Name.Length <= MaxHintedName ? FieldNameHint.NearestTo(property.Name, known) : null;
                    errors.Add(name, hint is null
                        ? $"Unknown field. Known fields: {string.Join(", ", known)}."
                        : $"Unknown field; did you mean {hint}?");
                }
            }
        }
        if (!errors.IsEmpty)
        {
            return null;
        }

        try
        {
            return root.Deserialize(typeInfo);
        }
        catch (WireValueException ex)
        {
            // A value of the right kind that the field does not allow: the field's own words, at its full path.
            errors.Add(fieldPrefix + PathOf(ex.Path), ex.Message);
            return null;
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            var property = typeInfo.Properties.FirstOrDefault(p => p.Name == field);
            errors.Add(fieldPrefix + field, property is null ? "Has the wrong type." : $"Must be {Describe(property.PropertyType)}.");
            return null;
        }
    }

    // Longer names are no typo of a field's name: no hint (and no edit distance over megabytes).
    private const int MaxHintedName = 64;

    private static int IndexOf(JsonProperty property, string[] known)
    {
        for (var i = 0; i < known.Length; i++)
        {
            if (property.NameEquals(known[i]))
            {
                return i;
            }
        }
        return -1;
    }

    // "$.chunkSize" → "chunkSize"; "$.items[3]" → "items".
    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "$";
        }
        var name = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        var end = name.IndexOfAny(['.', '[']);
        return end < 0 ? name : name[..end];
    }

    // "$.source.format" → "source.format".
    private static string PathOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(double) ? "a number"
            : type == typeof(bool) ? "true or false"
            : type == typeof(string) ? "a string"
            : "a JSON value of the right kind";
    }
}
