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
        var preload = Path.Combine(root, "build", "azurite-gc.js");
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

    private static async Task<string> VersionOfAsync(string node)
    {
        using var process = Process.Start(new ProcessStartInfo(node, ["--version"]) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return output.Trim();
    }
}
