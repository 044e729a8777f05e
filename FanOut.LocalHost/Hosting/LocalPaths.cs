using System.Net;
using System.Net.Sockets;

namespace FanOut.LocalHost.Hosting;

/// <summary>Where things are on this machine, for the local tools (demo, tests, benchmarks).</summary>
public static class LocalPaths
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
