using System.Text.Json;
using System.Text.Json.Serialization;
using FanOut.Cli.Upload;

namespace FanOut.Cli.Api;

/// <summary>Source-generated JSON of what the CLI reads and writes (camelCase, as the app's wire models).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(UploadedBlob))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
