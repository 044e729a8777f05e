using System.Diagnostics;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Deploy;

/// <summary>Runs one of infra/hooks' scripts as azd does on Linux: the script itself (its shebang and mode), in the
/// project's folder, with the azd environment's values as variables, and a folder of fake tools (az, azd) first on PATH
/// that log their calls into files of that folder.</summary>
internal static class AzdHook
{
    /// <summary>Runs <c>infra/hooks/{script}</c> with <paramref name="environment"/> set, <paramref name="unset"/> removed
    /// (variables a developer's shell may carry), then <paramref name="adjust"/>; fails the test after a minute.</summary>
    public static CliRun Run(
        string script, string fakeTools, IReadOnlyDictionary<string, string> environment, IEnumerable<string>? unset = null,
        Action<IDictionary<string, string?>>? adjust = null)
    {
        var root = LocalPaths.RepositoryRoot();
        var start = new ProcessStartInfo(Path.Combine(root, "infra", "hooks", script))
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["PATH"] = fakeTools + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var name in unset ?? [])
        {
            start.Environment.Remove(name);
        }
        adjust?.Invoke(start.Environment);

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The {script} hook did not end within a minute.");
        }
        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The lines a fake tool wrote to <paramref name="file"/> in <paramref name="fakeTools"/>; none when it wrote nothing.</summary>
    public static string[] Lines(string fakeTools, string file)
    {
        var path = Path.Combine(fakeTools, file);
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }
}
