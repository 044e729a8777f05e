using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Runs;

/// <summary>Source-generated JSON of what tree nodes answer each other (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(NodeAnswer<ChunkTally>))]
[JsonSerializable(typeof(NodeAnswer<QuoteTally>))]
internal sealed partial class RunsJsonContext : JsonSerializerContext;
