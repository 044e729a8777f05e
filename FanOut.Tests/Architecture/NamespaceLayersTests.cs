using System.Text.RegularExpressions;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Architecture;

/// <summary>FanOut.Core's feature folders depend on each other in one direction only, the order the README's
/// layout lists them in: no namespace reaches, through any chain of others, back to itself. Read from the
/// sources (usings and qualified names of types declared in another folder), so a cycle fails here, not in
/// a reviewer's head. The root namespace is the wiring (AddFanOut), above them all. FanOut.Contracts (the HTTP API's
/// answers, shared with the CLI) is beneath them all: any layer may use it, and it uses nothing of FanOut.</summary>
public sealed partial class NamespaceLayersTests
{
    // Top to bottom: each may use only those after it.
    private static readonly string[] Layers =
    [
        "Readiness", "Http", "Watchdog", "Jobs", "Runs", "Notices", "Chunks", "Outcomes", "Dispatch", "Security", "Sources", "Ledger", "Processing", "Planning",
        "Requests", "Contracts", "Configuration", "Diagnostics", "Telemetry",
    ];

    [Fact]
    public void CoreNamespaces_HaveNoCycles()
    {
        var edges = Edges();

        var cycles = edges.Keys.Select(start => CycleFrom(start, edges)).OfType<string>().Distinct().ToList();

        Assert.True(cycles.Count == 0, "Namespace cycles in FanOut.Core:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void CoreNamespaces_DependOnlyOnLayersBelowThem()
    {
        var upward = Edges().SelectMany(from => from.Value.Select(to => (From: Short(from.Key), To: Short(to.Key), File: to.Value)))
            .Where(edge => Array.IndexOf(Layers, edge.From) >= Array.IndexOf(Layers, edge.To) && edge.From != "FanOut.Core")
            .Select(edge => $"{edge.From} -({edge.File})-> {edge.To}")
            .ToList();

        Assert.True(upward.Count == 0, "FanOut.Core namespaces that use a layer above them (or one not in the list):\n" + string.Join("\n", upward));
    }

    [Fact]
    public void Contracts_UseNothingOfFanOut()
    {
        var uses = Directory.EnumerateFiles(Path.Combine(LocalPaths.RepositoryRoot(), "FanOut.Contracts"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .SelectMany(path => AnyFanOutUsing().Matches(File.ReadAllText(path)).Select(m => $"{Path.GetFileName(path)}: {m.Value}"))
            .ToList();

        Assert.True(uses.Count == 0, "FanOut.Contracts uses other FanOut namespaces:\n" + string.Join("\n", uses));
    }

    // Namespace -> namespaces it uses -> a file that does.
    private static Dictionary<string, Dictionary<string, string>> Edges()
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
        return edges;
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

    private static string Short(string ns) => ns == "FanOut.Core" ? ns : ns.Replace("FanOut.Core.", "", StringComparison.Ordinal);

    [GeneratedRegex(@"^namespace (FanOut\.Core(?:\.\w+)?);", RegexOptions.Multiline)]
    private static partial Regex NamespaceOf();

    [GeneratedRegex(@"^using (FanOut\.Core(?:\.\w+)?);", RegexOptions.Multiline)]
    private static partial Regex UsingOf();

    [GeneratedRegex(@"^using (?:static )?FanOut\.[\w.]+;|\bFanOut\.(?:Core|Cli|Functions|LocalHost)\.\w+", RegexOptions.Multiline)]
    private static partial Regex AnyFanOutUsing();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*)\.([A-Z]\w*)")]
    private static partial Regex QualifiedName();
}
