using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Runs;

/// <summary>Source-generated JSON of a run's messages and of what tree nodes answer each other (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = false, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(RunJobRequest))]
[JsonSerializable(typeof(TreeNodeRequest))]
[JsonSerializable(typeof(NodeAnswer<ChunkTally>))]
[JsonSerializable(typeof(NodeAnswer<QuoteTally>))]
internal sealed partial class RunsJsonContext : JsonSerializerContext;
