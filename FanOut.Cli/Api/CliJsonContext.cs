using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FanOut.Cli.Upload;
using FanOut.Contracts;

namespace FanOut.Cli.Api;

/// <summary>Source-generated JSON of what the CLI reads and writes (camelCase, as the app's wire models): the app's
/// answers are FanOut.Contracts' records, the ones the app writes.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobResult))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(UploadedBlob))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>The app's answers as the CLI reads them: leniently. What the app always writes is <c>required</c> in the
/// records (so that the app cannot leave it out); a body without it (another version of the app, a proxy's) still
/// reads, the member at its default, and the CLI says what it has.</summary>
internal static class LenientJson
{
    private static readonly JsonSerializerOptions Options = new(CliJsonContext.Default.Options)
    {
        TypeInfoResolver = CliJsonContext.Default.WithAddedModifier(type =>
        {
            foreach (var property in type.Properties)
            {
                property.IsRequired = false;
            }
        }),
    };

    /// <summary>A job's status.</summary>
    public static JsonTypeInfo<JobResult> Job { get; } = (JsonTypeInfo<JobResult>)Options.GetTypeInfo(typeof(JobResult));

    /// <summary>A problem.</summary>
    public static JsonTypeInfo<ProblemDetails> Problem { get; } = (JsonTypeInfo<ProblemDetails>)Options.GetTypeInfo(typeof(ProblemDetails));
}
