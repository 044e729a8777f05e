using System.Text.RegularExpressions;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Architecture;

/// <summary>A source's format is a type (<c>SourceFormat</c>): its wire names appear in its parser and nowhere else in
/// FanOut.Core, so no code compares a format as a string.</summary>
public sealed partial class SourceFormatUseTests
{
    [Fact]
    public void NoFileOfCore_ButTheFormatsOwn_NamesAFormatAsAString()
    {
        var core = Path.Combine(LocalPaths.RepositoryRoot(), "FanOut.Core");
        var found = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .Where(path => Path.GetFileName(path) != "SourceFormat.cs")
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (File: Path.GetRelativePath(core, path), Line: i + 1, Text: line)))
            // Comments may name them; a processor's output format is another thing (the format of the parts it writes).
            .Where(line => !line.Text.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Where(line => FormatName().IsMatch(line.Text) && !line.Text.Contains("OutputFormat", StringComparison.Ordinal))
            .Select(line => $"{line.File}:{line.Line}: {line.Text.Trim()}")
            .ToList();

        Assert.True(found.Count == 0, "Source formats named as strings outside Contracts/SourceFormat.cs:\n" + string.Join("\n", found));
    }

    // A format's wire name as a literal, or a Format compared with or matched against a string.
    [GeneratedRegex("\"(lines|ndjson|csv|json)\"|Format\\s*(==|!=)\\s*\"|Format:\\s*\"")]
    private static partial Regex FormatName();
}
