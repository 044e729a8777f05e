using FanOut.Core.Configuration;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>A job's concurrency level as a node of its tree applies it. The level is the job's <c>maxConcurrency</c> until an
/// <c>update</c> changes it (<c>concurrency.json</c>, which <see cref="JobThrottle"/> reads with the pause and the cancel);
/// a node's share of the slots (<see cref="NodeWork.Slots"/>, a part of the root's slots at the job's start) is scaled by it
/// (<see cref="DispatchTree.Scaled"/>), within the platform's invocation budget (<see cref="DispatchTree.RootSlots"/> of the
/// level). Reads nothing: what the throttle last saw.</summary>
internal sealed class JobLevel(JobThrottle throttle, IOptions<FanOutOptions> options)
{
    /// <summary>The job's level now, as this instance last saw it.</summary>
    public int Of(JobManifest manifest) => throttle.LevelOf(manifest.JobId) ?? manifest.MaxConcurrency;

    /// <summary>The slots a node of <paramref name="share"/> may fill now: asked again as its calls end (<see cref="SelfCalls"/>).</summary>
    public Func<int> SlotsOf(JobManifest manifest, int share)
    {
        var (width, budget) = (options.Value.Dispatch.FanoutWidth, options.Value.Platform.InvocationBudget);
        var startSlots = DispatchTree.RootSlots(manifest.MaxConcurrency, manifest.ChunkCount, width, budget);
        // A few integer steps (the tree's levels): cheap enough to ask after every call.
        return () => DispatchTree.Scaled(share, startSlots, DispatchTree.RootSlots(Of(manifest), manifest.ChunkCount, width, budget));
    }
}
