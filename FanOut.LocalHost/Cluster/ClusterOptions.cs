using System.Globalization;
using FanOut.Core.Configuration;
using FanOut.LocalHost.Worker;
using Microsoft.Extensions.Configuration;

namespace FanOut.LocalHost.Cluster;

/// <summary>The shape of the local cluster, from LocalHost's flags (each stands for a Flex Consumption setting, see the
/// README): how many instances, how many invocations each runs at once, whether instances are recycled, and the front's
/// queue for requests that find no free slot.</summary>
/// <param name="Instances"><c>--instances N</c>: instances always running (a dead one is replaced); Flex's always-ready count.</param>
/// <param name="MaxInstances"><c>--max-instances M</c>: instances at most; above <paramref name="Instances"/> they are added
/// while requests wait and every ready instance is full, and removed when idle (Flex's <c>maximumInstanceCount</c>).</param>
/// <param name="PerInstanceConcurrency"><c>--per-instance-concurrency C</c>: invocations one instance runs at once (Flex's
/// <c>perInstanceConcurrency</c>).</param>
/// <param name="RecycleEvery"><c>--recycle-every</c>: a random ready instance is killed (SIGKILL) at this interval.</param>
/// <param name="QueueLength">Hidden <c>--queue-length</c>: requests the front holds waiting for a slot; null: from host.json.</param>
/// <param name="QueueTimeout">Hidden <c>--queue-timeout</c>: how long a request waits for a slot before its 429.</param>
/// <param name="IdleTimeout">Hidden <c>--idle-timeout</c>: how long an instance above the minimum stays with nothing to do.</param>
internal sealed record ClusterOptions(
    int Instances, int MaxInstances, int PerInstanceConcurrency, TimeSpan? RecycleEvery, int? QueueLength, TimeSpan QueueTimeout, TimeSpan IdleTimeout)
{
    /// <summary>Requests waiting for a slot, per instance, when neither <c>--queue-length</c> nor host.json's
    /// maxOutstandingRequests says.</summary>
    public const int DefaultQueuePerInstance = 1000;

    /// <summary>How long a request waits for a slot: below the app's attempt timeout (30 s), so that a self-call that
    /// finds the cluster full is answered 429 (the job holds back) rather than timed out by its caller.</summary>
    public static readonly TimeSpan DefaultQueueTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long an instance above the minimum may do nothing before it is removed.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>One instance of Flex's default concurrency, nothing recycled: a plain <c>dotnet run</c>.</summary>
    public static ClusterOptions Default { get; } = new(1, 1, PlatformOptions.DefaultPerInstanceConcurrency, null, null, DefaultQueueTimeout, DefaultIdleTimeout);

    /// <summary>The options from the command line (or configuration): <c>instances</c>, <c>max-instances</c>,
    /// <c>per-instance-concurrency</c>, <c>recycle-every</c>, <c>queue-length</c>, <c>queue-timeout</c>, <c>idle-timeout</c>.</summary>
    /// <exception cref="ArgumentException">A value is not a number or duration, or out of range.</exception>
    public static ClusterOptions From(IConfiguration configuration)
    {
        var instances = Count(configuration, "instances") ?? 1;
        var max = Count(configuration, "max-instances") ?? instances;
        if (max < instances)
        {
            throw new ArgumentException($"--max-instances ({max}) must be at least --instances ({instances}).");
        }
        return new ClusterOptions(
            instances,
            max,
            Count(configuration, "per-instance-concurrency") ?? PlatformOptions.DefaultPerInstanceConcurrency,
            Duration(configuration, "recycle-every"),
            Count(configuration, "queue-length", minimum: 0),
            Duration(configuration, "queue-timeout") ?? DefaultQueueTimeout,
            Duration(configuration, "idle-timeout") ?? DefaultIdleTimeout);
    }

    /// <summary>Slots of one instance: <see cref="PerInstanceConcurrency"/>, and no more than host.json's maxConcurrentRequests.</summary>
    public int SlotsPerInstance(HostJson hostJson) => Math.Min(PerInstanceConcurrency, hostJson.MaxConcurrentRequests ?? int.MaxValue);

    /// <summary>Requests the front holds waiting for a slot when <paramref name="instances"/> instances run: <c>--queue-length</c>;
    /// else host.json's maxOutstandingRequests less the slots, per instance (an instance holds that many, running or waiting);
    /// else <see cref="DefaultQueuePerInstance"/> per instance.</summary>
    public int QueueCapacity(HostJson hostJson, int instances)
    {
        if (QueueLength is { } given)
        {
            return given;
        }
        var perInstance = hostJson.MaxOutstandingRequests is { } outstanding ? Math.Max(0, outstanding - SlotsPerInstance(hostJson)) : DefaultQueuePerInstance;
        return (int)Math.Min(int.MaxValue, (long)perInstance * Math.Max(1, instances));
    }

    private static int? Count(IConfiguration configuration, string name, int minimum = 1)
    {
        if (configuration[name] is not { Length: > 0 } text)
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"--{name} must be a whole number of at least {minimum}, not '{text}'.");
    }

    private static TimeSpan? Duration(IConfiguration configuration, string name)
    {
        if (configuration[name] is not { Length: > 0 } text)
        {
            return null;
        }
        return Durations.TryParse(text, out var value) && value > TimeSpan.Zero
            ? value
            : throw new ArgumentException($"--{name} must be a duration above zero such as 5s, 500ms, 2m or 00:00:05, not '{text}'.");
    }
}
