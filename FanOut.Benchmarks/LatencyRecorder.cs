using System.Collections.Concurrent;
using System.Diagnostics;

namespace FanOut.Benchmarks;

/// <summary>Innermost handler of the self-call client: times each attempt on the wire.</summary>
internal sealed class LatencyRecorder : DelegatingHandler
{
    private static readonly ConcurrentQueue<double> Samples = new();

    public static void Reset() => Samples.Clear();

    public static double[] Snapshot() => [.. Samples];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        Samples.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return response;
    }
}
