using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FanOut.Core.Processing;

/// <summary>A named piece of work done on every chunk of a job. Write one by deriving from
/// <see cref="ChunkProcessor{TOptions, TPartial, TResult}"/> (or <see cref="AsyncChunkProcessor{TOptions, TPartial, TResult}"/>,
/// to await something per record) and register it with
/// <see cref="FanOutBuilder.AddProcessor{TProcessor}"/>; a request picks it by <see cref="Name"/>.</summary>
public abstract class ChunkProcessor
{
    // Only ChunkProcessor<,,> derives from it, so every registered processor is one the runtime can run.
    private protected ChunkProcessor()
    {
    }

    /// <summary>The name a request's <c>processor</c> field uses: 1 to 64 characters of a-z, 0-9, '_' and '-',
    /// and no other processor of the app may have it (both are checked when the app starts).</summary>
    public abstract string Name { get; }

    /// <summary>The JSON of processors that do not bring their own: reflection-based, with the conventions of the
    /// wire models (camelCase, nulls left out, numbers only as JSON numbers). One instance, so one cache of type metadata.</summary>
    private protected static JsonSerializerOptions ReflectionJson { get; } = CreateReflectionJson();

    private static JsonSerializerOptions CreateReflectionJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }
}
