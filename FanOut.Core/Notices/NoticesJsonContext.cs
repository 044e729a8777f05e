using System.Text.Json;
using System.Text.Json.Serialization;

namespace FanOut.Core.Notices;

/// <summary>Source-generated JSON of the <c>notify</c> action's message and answer (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = false, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(NotifyJobRequest))]
[JsonSerializable(typeof(NoticeAnswer))]
internal sealed partial class NoticesJsonContext : JsonSerializerContext;
