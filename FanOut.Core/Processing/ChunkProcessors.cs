namespace FanOut.Core.Processing;

/// <summary>The chunk processors registered in DI, by name.</summary>
public sealed class ChunkProcessors
{
    private readonly Dictionary<string, IChunkProcessor> _byName;

    internal ChunkProcessors(IEnumerable<IChunkProcessor> processors) =>
        _byName = processors.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>Names of every registered processor, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Finds a processor by its exact name.</summary>
    internal bool TryGet(string name, out IChunkProcessor processor) => _byName.TryGetValue(name, out processor!);
}
