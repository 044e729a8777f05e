using System.Reflection;
using System.Runtime.CompilerServices;
using FanOut.Core;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Architecture;

/// <summary>FanOut.Core's public types are exactly those FanOut.Core/PublicAPI.Shipped.txt and PublicAPI.Unshipped.txt
/// list (docs/ARCHITECTURE.md, "Public surface"). The analyzer checks every member at build time; this checks the
/// types from the built assembly, so an unlisted public type fails here even with the analyzer switched off.</summary>
public sealed class PublicApiTests
{
    private static readonly Assembly Core = typeof(FanOutBuilder).Assembly;

    [Fact]
    public void ExportedTypes_AreExactlyTheTypesThePublicApiFilesList()
    {
        var exported = Core.GetExportedTypes().Select(ApiName).ToHashSet(StringComparer.Ordinal);
        var listed = ListedTypes();

        var unlisted = exported.Except(listed).Order(StringComparer.Ordinal).ToList();
        var gone = listed.Except(exported).Order(StringComparer.Ordinal).ToList();

        Assert.True(unlisted.Count == 0 && gone.Count == 0,
            "FanOut.Core's public types differ from FanOut.Core/PublicAPI.*.txt. Make a type internal, or add it to "
            + "PublicAPI.Unshipped.txt (the diff is the review).\n"
            + $"Public but not listed: {string.Join(", ", unlisted)}\nListed but not public: {string.Join(", ", gone)}");
    }

    [Fact]
    public void PublicApiFiles_ListTheSurfaceAUserNeeds()
    {
        var listed = ListedTypes();

        Assert.Contains("FanOut.Core.FanOutServiceCollectionExtensions", listed);
        Assert.Contains("FanOut.Core.Processing.ChunkProcessor<TOptions, TPartial, TResult>", listed);
        Assert.Contains("FanOut.Core.Http.BatchEndpoint", listed);
        Assert.Contains("FanOut.Core.Contracts.JobResult", listed);
        Assert.DoesNotContain(listed, name => name.StartsWith("FanOut.Core.Ledger.", StringComparison.Ordinal));
    }

    // The function app and the hosts build against the public surface, as a user's app would: only the tests,
    // the benchmarks and Moq's proxies see internals.
    [Fact]
    public void CoreInternals_AreVisibleOnlyToTestsBenchmarksAndMocks()
    {
        var friends = Core.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).Order(StringComparer.Ordinal);

        Assert.Equal(["DynamicProxyGenAssembly2", "FanOut.Benchmarks", "FanOut.Tests"], friends);
    }

    // The type names the files declare: every member entry ends in " -> {its type}", a type's entry is its name alone, e.g.
    // "FanOut.Core.Contracts.JobStatus" or "FanOut.Core.Processing.ChunkContext<TOptions>". Unshipped may remove a
    // shipped entry with a "*REMOVED*" line.
    private static HashSet<string> ListedTypes()
    {
        var core = Path.Combine(LocalPaths.RepositoryRoot(), "FanOut.Core");
        var shipped = Entries(Path.Combine(core, "PublicAPI.Shipped.txt")).ToList();
        var unshipped = Entries(Path.Combine(core, "PublicAPI.Unshipped.txt")).ToList();
        const string removed = "*REMOVED*";
        var entries = shipped.Concat(unshipped.Where(e => !e.StartsWith(removed, StringComparison.Ordinal))).ToHashSet(StringComparer.Ordinal);
        entries.ExceptWith(unshipped.Where(e => e.StartsWith(removed, StringComparison.Ordinal)).Select(e => e[removed.Length..]));
        return entries.Select(e => e.TrimStart('~')).Where(e => !e.Contains(" -> ", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<string> Entries(string path) =>
        File.ReadLines(path).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#'));

    // A type as the analyzer names it: namespace, enclosing types and name joined by '.', type parameters by name.
    private static string ApiName(Type type)
    {
        var tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        var own = type.GetGenericArguments().Skip(type.DeclaringType?.GetGenericArguments().Length ?? 0).Select(t => t.Name).ToList();
        var name = tick < 0 ? type.Name : $"{type.Name[..tick]}<{string.Join(", ", own)}>";
        return type.DeclaringType is { } outer ? $"{ApiName(outer)}.{name}" : $"{type.Namespace}.{name}";
    }
}
