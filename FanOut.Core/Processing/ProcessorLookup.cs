using FanOut.Core.Requests;

namespace FanOut.Core.Processing;

/// <summary>Finding a request's processor by name.</summary>
internal static class ProcessorLookup
{
    /// <summary>The processor of that name, or null with an error listing the registered ones.</summary>
    public static IChunkProcessor? Named(this ChunkProcessors processors, string name, FieldErrors errors)
    {
        if (processors.TryGet(name, out var processor))
        {
            return processor;
        }
        errors.Add("processor", $"Unknown processor '{name}'. Registered: {string.Join(", ", processors.Names)}.");
        return null;
    }
}
