using FanOut.LocalHost.Hosting;

namespace FanOut.Demo;

/// <summary>The demo's data: the lines of a text file, or by default of this repository's own sources
/// and docs, which every clone has.</summary>
internal static class DemoCorpus
{
    public static (string Description, List<string> Lines) Load(string? file)
    {
        if (file is not null)
        {
            return (file, [.. File.ReadLines(file)]);
        }
        var root = LocalPaths.RepositoryRoot();
        var files = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".md", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return ($"the {files.Count} .cs and .md files of this repository", [.. files.SelectMany(File.ReadLines)]);
    }
}
