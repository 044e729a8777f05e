namespace FanOut.LocalHost.Hosting;

/// <summary>Where things are in a clone of the repository, for the local tools.</summary>
public static class LocalPaths
{
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
