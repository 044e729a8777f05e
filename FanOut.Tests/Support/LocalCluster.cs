using System.Globalization;

namespace FanOut.Tests.Support;

/// <summary>The cluster a LocalHost under test runs, as its command-line flags (null: LocalHost's default).</summary>
/// <param name="Instances"><c>--instances</c>.</param>
/// <param name="PerInstanceConcurrency"><c>--per-instance-concurrency</c>.</param>
/// <param name="MaxInstances"><c>--max-instances</c>.</param>
/// <param name="RecycleEvery"><c>--recycle-every</c> (e.g. "5s").</param>
/// <param name="QueueLength">Hidden <c>--queue-length</c>: requests the front holds waiting for a slot.</param>
/// <param name="QueueTimeout">Hidden <c>--queue-timeout</c>: how long one waits before its 429.</param>
/// <param name="IdleTimeout">Hidden <c>--idle-timeout</c>: how soon an idle instance above the minimum is removed.</param>
internal sealed record LocalCluster(
    int? Instances = null, int? PerInstanceConcurrency = null, int? MaxInstances = null, string? RecycleEvery = null,
    int? QueueLength = null, string? QueueTimeout = null, string? IdleTimeout = null)
{
    /// <summary>The flags, for LocalHost's command line.</summary>
    public IEnumerable<string> Arguments()
    {
        (string Flag, string? Value)[] flags =
        [
            ("--instances", Number(Instances)), ("--per-instance-concurrency", Number(PerInstanceConcurrency)), ("--max-instances", Number(MaxInstances)),
            ("--recycle-every", RecycleEvery), ("--queue-length", Number(QueueLength)), ("--queue-timeout", QueueTimeout), ("--idle-timeout", IdleTimeout),
        ];
        return flags.Where(f => f.Value is not null).SelectMany(f => new[] { f.Flag, f.Value! });
    }

    private static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);
}
