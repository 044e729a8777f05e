using System.Text.RegularExpressions;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Architecture;

/// <summary>FanOut.Core's feature folders depend on each other in one direction only: no namespace reaches,
/// through any chain of others, back to itself. Read from the sources (usings and qualified names of
/// types declared in another folder), so a cycle fails here, not in a reviewer's head.</summary>
public sealed partial class NamespaceLayersTests
{
    [Fact]
    public void CoreNamespaces_HaveNoCycles()
    {
        var files = Directory.EnumerateFiles(Path.Combine(LocalPaths.RepositoryRoot(), "FanOut.Core"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .Select(path => (Path: path, Text: File.ReadAllText(path)))
            .Select(file => (file.Path, file.Text, Namespace: NamespaceOf().Match(file.Text) is { Success: true } m ? m.Groups[1].Value : null))
            .Where(file => file.Namespace is not null)
            .ToList();
        var declared = files.GroupBy(f => f.Namespace!)
            .ToDictionary(g => g.Key, g => g.SelectMany(f => TypeName().Matches(f.Text).Select(m => m.Groups[1].Value)).ToHashSet());
        var edges = new Dictionary<string, Dictionary<string, string>>();
        foreach (var (path, text, ns) in files)
        {
            var targets = UsingOf().Matches(text).Select(m => m.Groups[1].Value)
                .Concat(QualifiedName().Matches(text)
                    .Where(m => declared.GetValueOrDefault("FanOut.Core." + m.Groups[1].Value)?.Contains(m.Groups[2].Value) == true)
                    .Select(m => "FanOut.Core." + m.Groups[1].Value));
            foreach (var target in targets.Where(t => t != ns && declared.ContainsKey(t)))
            {
                (edges.TryGetValue(ns!, out var to) ? to : edges[ns!] = [])[target] = Path.GetFileName(path);
            }
        }

        var cycles = declared.Keys.Select(start => CycleFrom(start, edges)).OfType<string>().Distinct().ToList();

        Assert.True(cycles.Count == 0, "Namespace cycles in FanOut.Core:\n" + string.Join("\n", cycles));
    }

    // The shortest way back to `start`, as "A -(file)-> B -> ... -> A", or null.
    private static string? CycleFrom(string start, Dictionary<string, Dictionary<string, string>> edges)
    {
        var cameFrom = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var at))
        {
            foreach (var (next, file) in edges.GetValueOrDefault(at) ?? [])
            {
                if (next == start)
                {
                    var path = new List<string> { $"{Short(at)} -({file})-> {Short(start)}" };
                    for (var node = at; node != start; node = cameFrom[node])
                    {
                        path.Insert(0, $"{Short(cameFrom[node])} -({edges[cameFrom[node]][node]})-> {Short(node)}");
                    }
                    return string.Join(", ", path);
                }
                if (cameFrom.TryAdd(next, at))
                {
                    queue.Enqueue(next);
                }
            }
        }
        return null;
    }

    private static string Short(string ns) => ns.Replace("FanOut.Core.", "", StringComparison.Ordinal);

    [GeneratedRegex(@"^namespace (FanOut\.Core(?:\.\w+)?);", RegexOptions.Multiline)]
    private static partial Regex NamespaceOf();

    [GeneratedRegex(@"^using (FanOut\.Core(?:\.\w+)?);", RegexOptions.Multiline)]
    private static partial Regex UsingOf();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*)\.([A-Z]\w*)")]
    private static partial Regex QualifiedName();
}
