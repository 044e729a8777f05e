using System.Diagnostics;

namespace FanOut.LocalHost.Hosting;

/// <summary>The npm tools the repository pins (package-lock.json): Azurite for the demo and the tests,
/// action-validator for the tests of the example workflow. A missing one is installed with <c>npm ci</c>, once
/// at a time, so that a fresh clone needs no step before the demo or the tests.</summary>
public static class NodeTools
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The path of <c>node_modules/.bin/{name}</c>, after <c>npm ci</c> when it is missing.</summary>
    public static async Task<string> PathOfAsync(string name)
    {
        var root = LocalPaths.RepositoryRoot();
        var tool = Path.Combine(root, "node_modules", ".bin", name);
        if (File.Exists(tool))
        {
            return tool;
        }
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(tool))
            {
                Console.Error.WriteLine($"{name} is not installed yet: running `npm ci` in {root}");
                var install = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"]) { WorkingDirectory = root };
                try
                {
                    using var npm = Process.Start(install)!;
                    await npm.WaitForExitAsync();
                }
                catch (System.ComponentModel.Win32Exception ex)
                {
                    throw new InvalidOperationException($"{name} comes from npm, which was not found: install Node.js (20 or later) and run `npm ci`.", ex);
                }
            }
        }
        finally
        {
            Installing.Release();
        }
        return File.Exists(tool)
            ? tool
            : throw new InvalidOperationException($"{tool} is still missing after `npm ci`; see its output above.");
    }
}
