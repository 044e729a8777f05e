using System.Diagnostics;

namespace FanOut.LocalHost.Hosting;

/// <summary>The npm tools the repository pins (package-lock.json): Azurite for the demo and the tests,
/// action-validator for the tests of the example workflow; and the Node.js that runs Azurite (the <c>node</c>
/// package pinned in build/node/package-lock.json, with its own binary: Azurite needs Node.js 22 or later, whatever
/// the machine has). A missing one is installed with <c>build/npm-ci.sh</c>, once at a time, so that a fresh clone
/// needs no step before the demo or the tests.</summary>
public static class NodeTools
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The path of the pinned Node.js, <c>build/node/node_modules/.bin/node</c>, after
    /// <c>build/npm-ci.sh</c> when it is missing.</summary>
    public static Task<string> NodePathAsync() => InstalledAsync("node", Path.Combine("build", "node", "node_modules", ".bin", "node"));

    /// <summary>The path of <c>node_modules/.bin/{name}</c>, after <c>build/npm-ci.sh</c> when it is missing.</summary>
    public static Task<string> PathOfAsync(string name) => InstalledAsync(name, Path.Combine("node_modules", ".bin", name));

    private static async Task<string> InstalledAsync(string name, string relativePath)
    {
        var root = LocalPaths.RepositoryRoot();
        var tool = Path.Combine(root, relativePath);
        if (File.Exists(tool))
        {
            return tool;
        }
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(tool))
            {
                Console.Error.WriteLine($"{name} is not installed yet: running `bash build/npm-ci.sh` in {root}");
                var install = new ProcessStartInfo("bash", [Path.Combine(root, "build", "npm-ci.sh")]) { WorkingDirectory = root };
                try
                {
                    using var npm = Process.Start(install)!;
                    await npm.WaitForExitAsync();
                }
                catch (System.ComponentModel.Win32Exception ex)
                {
                    throw new InvalidOperationException($"{name} is installed by build/npm-ci.sh, which needs bash and npm: install them and run `bash build/npm-ci.sh`.", ex);
                }
            }
        }
        finally
        {
            Installing.Release();
        }
        return File.Exists(tool)
            ? tool
            : throw new InvalidOperationException($"{tool} is still missing after `bash build/npm-ci.sh`; see its output above.");
    }
}
