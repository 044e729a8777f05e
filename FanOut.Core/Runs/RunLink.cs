namespace FanOut.Core.Runs;

/// <summary>A root run's place in its job's chain of hops: its id, its hop (1 for a run a client started),
/// and the run it takes over from (null at hop 1).</summary>
internal sealed record RunLink(string RunId, int Hop, string? Predecessor)
{
    /// <summary>The next hop: run <paramref name="runId"/>, taking over from this one.</summary>
    public RunLink Next(string runId) => new(runId, Hop + 1, RunId);
}
