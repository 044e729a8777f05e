using System.Text.Json;

namespace FanOut.Core.Processing;

/// <summary>What <see cref="ProcessorTestKit.RunAsync"/> saw.</summary>
/// <typeparam name="TResult">The processor's result type.</typeparam>
public sealed class ProcessorTestRun<TResult>
{
    internal ProcessorTestRun(TResult result, JsonElement resultJson, IReadOnlyList<JsonElement> partials, IReadOnlyList<IReadOnlyList<string>> outputs)
    {
        Result = result;
        ResultJson = resultJson;
        Partials = partials;
        Outputs = outputs;
    }

    /// <summary>The job's result, as <c>Finish</c> returned it, read back from its JSON.</summary>
    public TResult Result { get; }

    /// <summary>The job's result as the job's status would show it.</summary>
    public JsonElement ResultJson { get; }

    /// <summary>Each chunk's partial result, as JSON, in chunk order.</summary>
    public IReadOnlyList<JsonElement> Partials { get; }

    /// <summary>The records each chunk emitted to its output part, in chunk order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Outputs { get; }
}
