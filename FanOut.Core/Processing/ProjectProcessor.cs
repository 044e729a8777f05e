using System.Buffers;
using System.Text.Json;
using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary><c>project</c>: reads each record as a JSON object (an NDJSON line, or an inline object),
/// keeps those that pass the optional <c>where</c> filter, and emits the chosen <c>fields</c> of each as one
/// NDJSON line of the chunk's output part. Records that are not JSON objects are counted, not emitted.</summary>
internal sealed class ProjectProcessor : IChunkProcessor
{
    public string Name => "project";

    public string? OutputFormat => "ndjson";

    public void ValidateOptions(JsonElement options, FieldErrors errors)
    {
        var parsed = JsonRequest.Read(options, ProcessingJsonContext.Default.ProjectOptions, errors, "options.");
        if (parsed is null)
        {
            return;
        }
        if (parsed.Fields is not { Length: > 0 and <= ProjectOptions.MaxFields } fields || fields.Any(f => string.IsNullOrWhiteSpace(f) || f.Length > 200))
        {
            errors.Add("options.fields", $"Required: 1 to {ProjectOptions.MaxFields} property paths such as \"id\" or \"user.name\".");
        }
        if (parsed.Where is { } where && (string.IsNullOrWhiteSpace(where.Field) || where.EqualTo.ValueKind == JsonValueKind.Undefined))
        {
            errors.Add("options.where", "Must be { \"field\": \"path\", \"equals\": <JSON value> }.");
        }
    }

    public IChunkAccumulator Begin(JsonElement options, IRecordSink output) =>
        new Accumulator(options.Deserialize(ProcessingJsonContext.Default.ProjectOptions)!, output);

    public JsonElement Merge(IReadOnlyList<JsonElement> partials, JsonElement options)
    {
        long records = 0, emitted = 0, invalid = 0;
        foreach (var partial in partials.Select(p => p.Deserialize(ProcessingJsonContext.Default.ProjectPartial)!))
        {
            (records, emitted, invalid) = (records + partial.Records, emitted + partial.Emitted, invalid + partial.Invalid);
        }
        return JsonSerializer.SerializeToElement(new ProjectPartial(records, emitted, invalid), ProcessingJsonContext.Default.ProjectPartial);
    }

    public JsonElement Finish(JsonElement merged, JsonElement options) => merged;

    private sealed class Accumulator(ProjectOptions options, IRecordSink output) : IChunkAccumulator
    {
        private readonly ArrayBufferWriter<byte> _line = new(256);
        private long _records, _emitted, _invalid;

        public void Add(ChunkRecord record)
        {
            _records++;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(record.Text.ToArray());
            }
            catch (JsonException)
            {
                _invalid++;
                return;
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    _invalid++;
                    return;
                }
                if (options.Where is { } where && !(Find(root, where.Field!) is { } value && JsonElement.DeepEquals(value, where.EqualTo)))
                {
                    return;
                }
                _line.ResetWrittenCount();
                using (var json = new Utf8JsonWriter(_line))
                {
                    json.WriteStartObject();
                    foreach (var field in options.Fields!)
                    {
                        if (Find(root, field) is { } found)
                        {
                            json.WritePropertyName(field);
                            found.WriteTo(json);
                        }
                    }
                    json.WriteEndObject();
                }
                output.Write(_line.WrittenSpan);
                _emitted++;
            }
        }

        public JsonElement Complete() =>
            JsonSerializer.SerializeToElement(new ProjectPartial(_records, _emitted, _invalid), ProcessingJsonContext.Default.ProjectPartial);

        // "user.name" → root.user.name; null when any step is missing or not an object.
        private static JsonElement? Find(JsonElement root, string path)
        {
            var current = root;
            foreach (var step in path.Split('.'))
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step, out current))
                {
                    return null;
                }
            }
            return current;
        }
    }
}
