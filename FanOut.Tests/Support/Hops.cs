using FanOut.Core.Contracts;
using FanOut.Tests.Support;

namespace FanOut.Tests.Support;

/// <summary>Steps a job from hop to hop on an <see cref="OrchestrationHost"/> with a 20 s hop deadline: the leaves stop at
/// 18.05 s, the root hands over at 19 s.</summary>
internal static class Hops
{
    /// <summary>Past the leaves' deadline, short of the root's: the leaves answer what they finished, and the root, its time
    /// mostly spent, hands the rest over.</summary>
    public static readonly TimeSpan PastTheLeavesDeadline = TimeSpan.FromSeconds(18.5);

    /// <summary>Waits until the given hop holds the job and its dropped (or late) chunks are held, and, when given, so many
    /// chunks were answered in all.</summary>
    public static Task HeldAsync(OrchestrationHost host, string jobId, int hop, int dropped = 2, int? answered = null) =>
        host.WaitUntilAsync(
            () => Leases.Taken(host.Ledger.DispatchMarkers(jobId)).LastOrDefault()?.Hop == hop && host.Caller.Held == dropped
                && (answered is null || host.Caller.Answered(BatchActions.ProcessChunk) == answered),
            $"hop {hop} holds the job and its dropped chunks{(answered is null ? "" : $", {answered} chunks answered")}");
}
