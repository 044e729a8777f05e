using System.Text.RegularExpressions;

namespace FanOut.Core.Processing;

/// <summary>The chunk processors registered in DI, by name.</summary>
internal sealed partial class ChunkProcessors
{
    private readonly Dictionary<string, IChunkProcessor> _byName;

    /// <exception cref="InvalidOperationException">A name is invalid or taken twice.</exception>
    internal ChunkProcessors(IEnumerable<IChunkProcessor> processors)
    {
        var all = processors.ToList();
        var problems = Problems(all).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }
        _byName = all.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>Names of every registered processor, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Finds a processor by its exact name.</summary>
    internal bool TryGet(string name, out IChunkProcessor processor) => _byName.TryGetValue(name, out processor!);

    /// <summary>What keeps the processors from being told apart by name: a name that is not 1 to 64 characters
    /// of a-z, 0-9, '_' and '-', or one that two processors have. Each problem names the types.</summary>
    internal static IEnumerable<string> Problems(IEnumerable<IChunkProcessor> processors)
    {
        var byName = new Dictionary<string, IChunkProcessor>(StringComparer.Ordinal);
        foreach (var processor in processors)
        {
            if (processor.Name is not { } name || !NamePattern().IsMatch(name))
            {
                yield return $"The chunk processor {processor.GetType()} is named '{processor.Name}'; a processor name is 1 to 64 characters of a-z, 0-9, '_' and '-'.";
            }
            else if (!byName.TryAdd(name, processor))
            {
                yield return $"Two chunk processors are named '{name}': {byName[name].GetType()} and {processor.GetType()}.";
            }
        }
    }

    [GeneratedRegex(@"^[a-z0-9_-]{1,64}\z")]
    private static partial Regex NamePattern();
}
