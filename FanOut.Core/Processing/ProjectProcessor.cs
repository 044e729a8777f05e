using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FanOut.Core.Processing;

/// <summary><c>project</c>: reads each record as a JSON object (an NDJSON line, or an inline object),
/// keeps those that pass the optional <c>where</c> filter, and emits the chosen <c>fields</c> of each as one
/// NDJSON line of the chunk's output part. Records that are not JSON objects in valid Unicode (RFC 8259: UTF-8, and
/// no string with a lone surrogate escape such as "\ud800") are counted invalid, not emitted.</summary>
internal sealed class ProjectProcessor : ChunkProcessor<ProjectOptions, ProjectPartial, ProjectPartial>
{
    // Add runs start to end on one thread, so one line buffer, writer and scratch per thread serve every chunk.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _line;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    [ThreadStatic]
    private static byte[]? _scratch;

    public override string Name => "project";

    protected override string? OutputFormat => "ndjson";

    protected override JsonSerializerOptions SerializerOptions => ProcessingJsonContext.Default.Options;

    protected override void Validate(ProjectOptions options, OptionErrors errors)
    {
        if (options.Fields is not { Length: > 0 and <= ProjectOptions.MaxFields } fields
            || fields.Any(f => string.IsNullOrWhiteSpace(f) || f.Length > 200 || !JsonUnicode.IsValid(f)))
        {
            errors.Add("fields", $"Required: 1 to {ProjectOptions.MaxFields} property paths such as \"id\" or \"user.name\".");
        }
        if (options.Where is { } where && (string.IsNullOrWhiteSpace(where.Field) || !JsonUnicode.IsValid(where.Field)
                                           || where.EqualTo.ValueKind == JsonValueKind.Undefined || !JsonUnicode.IsValid(JsonMarshal.GetRawUtf8Value(where.EqualTo))))
        {
            errors.Add("where", "Must be { \"field\": \"path\", \"equals\": <JSON value> }.");
        }
    }

    protected override ProjectPartial Begin(ProjectOptions options) => new();

    protected override void Add(ProjectPartial partial, ChunkRecord record, ChunkContext<ProjectOptions> chunk)
    {
        partial.Records++;
        var text = record.Text;
        // Not text (invalid UTF-8, or a lone surrogate escape): no JSON text either; nor anything but one object.
        if (!JsonFields.IsTextObject(text))
        {
            partial.Invalid++;
            return;
        }
        var options = chunk.Options;
        var paths = options.Paths;
        if (options.Where is { } where && !(JsonFields.TryFind(text, paths.Where!, out var value) && JsonFields.ValueEquals(value, where.EqualTo, paths.EqualTo)))
        {
            return;
        }
        var line = _line ??= new ArrayBufferWriter<byte>(256);
        line.ResetWrittenCount();
        var json = _writer ??= new Utf8JsonWriter(line);
        json.Reset(line);
        var scratch = _scratch ??= new byte[256];
        json.WriteStartObject();
        for (var i = 0; i < paths.Fields.Length; i++)
        {
            if (JsonFields.TryFind(text, paths.Fields[i], out var found))
            {
                json.WritePropertyName(options.Fields![i]);
                JsonFields.Copy(found, json, ref scratch);
            }
        }
        json.WriteEndObject();
        json.Flush();
        _scratch = scratch;
        chunk.Output.Write(line.WrittenSpan);
        partial.Emitted++;
    }

    protected override ProjectPartial Merge(ProjectPartial into, ProjectPartial from)
    {
        into.Records += from.Records;
        into.Emitted += from.Emitted;
        into.Invalid += from.Invalid;
        return into;
    }

    protected override ProjectPartial Finish(ProjectPartial merged, ProjectOptions options) => merged;
}
