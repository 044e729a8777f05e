namespace FanOut.LocalHost.Hosting;

/// <summary>Where things are on this machine, for the local tools (demo, tests, benchmarks).</summary>
public static class LocalPaths
{
    /// <summary>A listening address as a URL to call: a wildcard host becomes 127.0.0.1.</summary>
    public static string CallableUrl(string address) =>
        address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://127.0.0.1");

    /// <summary>The folder holding FanOutFunctions.sln, above the running program's folder.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FanOutFunctions.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (FanOutFunctions.sln) was not found above " + AppContext.BaseDirectory);
    }
}
