using System.Diagnostics;
using System.Text.Json;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Support;

namespace FanOut.Tests.LocalHost;

[Collection(StorageCollection.Name)]
public sealed class AzuriteProcessTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task StartAsync_TheTestsAzurite_RunsOnThePinnedNode()
    {
        if (azurite.ProcessId is not { } pid)
        {
            return; // FANOUT_TEST_STORAGE gave the storage: no Azurite of ours to look at
        }
        var root = LocalPaths.RepositoryRoot();
        using var pins = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root, "build", "node", "package.json")));
        var pinned = pins.RootElement.GetProperty("devDependencies").GetProperty("node").GetString();
        var pinnedBinary = File.ResolveLinkTarget(Path.Combine(root, "build", "node", "node_modules", ".bin", "node"), returnFinalTarget: true)!.FullName;

        // The binary the kernel runs as Azurite's process, and its version.
        var running = File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: false)!.FullName;
        var version = await VersionOfAsync(running);

        Assert.Equal(pinnedBinary, running);
        Assert.Equal($"v{pinned}", version);
        Assert.Contains(Path.Combine("node_modules", ".bin", "azurite-blob"), await File.ReadAllTextAsync($"/proc/{pid}/cmdline"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_TheTestsAzurite_CollectsGarbageOnceADayNotEveryTenMinutes()
    {
        if (azurite.ProcessId is not { } pid)
        {
            return;
        }
        var root = LocalPaths.RepositoryRoot();
        var preload = Path.Combine(root, "build", "azurite-preload.js");
        Assert.Contains($"--require\0{preload}\0", await File.ReadAllTextAsync($"/proc/{pid}/cmdline"), StringComparison.Ordinal);

        // What the preload leaves in the constant Azurite's GC manager reads when it is built (10 minutes without it).
        var node = File.ResolveLinkTarget(Path.Combine(root, "build", "node", "node_modules", ".bin", "node"), returnFinalTarget: true)!.FullName;
        var constants = Path.Combine(root, "node_modules", "azurite", "dist", "src", "blob", "utils", "constants.js");
        using var process = Process.Start(new ProcessStartInfo(node, ["--require", preload, "-e", $"console.log(require({JsonSerializer.Serialize(constants)}).DEFAULT_GC_INTERVAL_MS)"])
        {
            RedirectStandardOutput = true,
        })!;
        var interval = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal((24 * 60 * 60 * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), interval.Trim());
    }

    [Theory]
    [InlineData(null, "name")]
    [InlineData("all", "accountName,containerName,name,snapshot")]
    public async Task Preload_IndexesAzuritesBlobsByNameOnly_UnlessAllIndicesAreAskedFor(string? setting, string indices)
    {
        // Azurite's own store, built as Azurite builds it, in a Node.js started as the tests' Azurite is: the indices
        // its blobs collection ends with. LokiJS moves every index array on each insert, so three indices that hold
        // one value here made a commit's cost grow with the store (docs/BENCHMARKS.md, issue 23).
        var root = LocalPaths.RepositoryRoot();
        var node = File.ResolveLinkTarget(Path.Combine(root, "build", "node", "node_modules", ".bin", "node"), returnFinalTarget: true)!.FullName;
        var store = Path.Combine(root, "node_modules", "azurite", "dist", "src", "blob", "persistence", "LokiBlobMetadataStore.js");
        var script = $"const Store = require({JsonSerializer.Serialize(store)}).default; const s = new Store('growth', true); "
            + "s.init().then(() => { console.log(Object.keys(s.db.getCollection('$BLOBS_COLLECTION$').binaryIndices).join(',')); return s.close(); });";
        var start = new ProcessStartInfo(node, ["--require", Path.Combine(root, "build", "azurite-preload.js"), "-e", script]) { RedirectStandardOutput = true };
        start.Environment["AZURITE_BLOB_INDICES"] = setting;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(indices, output.Trim());
    }

    private static async Task<string> VersionOfAsync(string node)
    {
        using var process = Process.Start(new ProcessStartInfo(node, ["--version"]) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return output.Trim();
    }
}
