using System.Reflection;
using System.Runtime.CompilerServices;
using FanOut.Core;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Architecture;

/// <summary>FanOut.Core's public types (and FanOut.Contracts') are exactly those its PublicAPI.Shipped.txt and
/// PublicAPI.Unshipped.txt list (docs/ARCHITECTURE.md, "Public surface"). The analyzer checks every member at build time; this checks the
/// types from the built assembly, so an unlisted public type fails here even with the analyzer switched off.</summary>
public sealed class PublicApiTests
{
    private static readonly Assembly Core = typeof(FanOutBuilder).Assembly;

    // FanOut.Contracts: the HTTP API's answers, which the app writes and the CLI reads.
    private static readonly Assembly Contracts = typeof(JobResult).Assembly;

    [Theory]
    [InlineData("FanOut.Core")]
    [InlineData("FanOut.Contracts")]
    public void ExportedTypes_AreExactlyTheTypesThePublicApiFilesList(string project)
    {
        var assembly = project == "FanOut.Core" ? Core : Contracts;
        var exported = assembly.GetExportedTypes().Select(ApiName).ToHashSet(StringComparer.Ordinal);
        var listed = ListedTypes(project);

        var unlisted = exported.Except(listed).Order(StringComparer.Ordinal).ToList();
        var gone = listed.Except(exported).Order(StringComparer.Ordinal).ToList();

        Assert.True(unlisted.Count == 0 && gone.Count == 0,
            $"{project}'s public types differ from {project}/PublicAPI.*.txt. Make a type internal, or add it to "
            + "PublicAPI.Unshipped.txt (the diff is the review).\n"
            + $"Public but not listed: {string.Join(", ", unlisted)}\nListed but not public: {string.Join(", ", gone)}");
    }

    [Fact]
    public void PublicApiFiles_ListTheSurfaceAUserNeeds()
    {
        var listed = ListedTypes("FanOut.Core");

        Assert.Contains("FanOut.Core.FanOutServiceCollectionExtensions", listed);
        Assert.Contains("FanOut.Core.Processing.ChunkProcessor<TOptions, TPartial, TResult>", listed);
        Assert.Contains("FanOut.Core.Http.BatchEndpoint", listed);
        Assert.Contains("FanOut.Contracts.JobResult", ListedTypes("FanOut.Contracts"));
        Assert.DoesNotContain(listed, name => name.StartsWith("FanOut.Core.Ledger.", StringComparison.Ordinal));
    }

    // The CLI shares the app's answers through FanOut.Contracts and takes nothing else of the app; FanOut.Contracts is
    // records on the runtime's own assemblies, so the tool's dependencies stay its own (docs/ARCHITECTURE.md, "Public surface").
    [Fact]
    public void Cli_SharesOnlyTheContracts_WhichDependOnTheRuntimeAlone()
    {
        var cli = typeof(FanOut.Cli.CliApp).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("FanOut.Contracts", cli);
        Assert.DoesNotContain(cli, name => name!.StartsWith("FanOut.", StringComparison.Ordinal) && name != "FanOut.Contracts");
        Assert.All(Contracts.GetReferencedAssemblies(), a => Assert.True(a.Name!.StartsWith("System.", StringComparison.Ordinal), a.Name));
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
    // "FanOut.Contracts.JobStatus" or "FanOut.Core.Processing.ChunkContext<TOptions>". Unshipped may remove a
    // shipped entry with a "*REMOVED*" line.
    private static HashSet<string> ListedTypes(string project)
    {
        var core = Path.Combine(LocalPaths.RepositoryRoot(), project);
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
