using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Support;

internal static class FreePort
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Next() => LocalPaths.FreeLoopbackPort();
}
