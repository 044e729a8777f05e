using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Processing;

/// <summary>Source-generated JSON of the built-in processors' options, partials and results; their SerializerOptions.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CountPartial))]
[JsonSerializable(typeof(WordCountPartial))]
[JsonSerializable(typeof(WordCountResult))]
[JsonSerializable(typeof(WordCountOptions))]
[JsonSerializable(typeof(ProjectOptions))]
[JsonSerializable(typeof(ProjectPartial))]
internal sealed partial class ProcessingJsonContext : JsonSerializerContext;
