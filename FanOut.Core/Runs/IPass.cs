using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;

namespace FanOut.Core.Runs;

/// <summary>One pass over a job's chunks down its dispatch tree: what a leaf does with its chunks, and how
/// the answers of a node's children combine. The <see cref="TreeWalker"/> knows no pass; a pass knows no tree.</summary>
/// <typeparam name="TTally">What a node answers for its range; immutable, combined on the way up.</typeparam>
internal interface IPass<TTally> where TTally : class
{
    /// <summary>The pass's name in a <c>dispatch</c> call.</summary>
    string Name { get; }

    /// <summary>How a tally travels between invocations.</summary>
    JsonTypeInfo<TTally> Wire { get; }

    /// <summary>Does the leaf's work: sends its pending chunks, reads the rest.</summary>
    Task<TTally> LeafAsync(JobManifest manifest, NodeWork work, HopDeadline deadline);

    /// <summary>The tally of consecutive ranges, given in chunk order.</summary>
    TTally Combine(JobManifest manifest, IReadOnlyList<TTally> parts);

    /// <summary>The tally of a range whose node did not answer: none of its chunks seen to an end, <paramref name="pending"/> of
    /// them to send; when the node was <paramref name="sent"/>, it may have done some of its work.</summary>
    TTally Missing(ChunkSpan span, IReadOnlyList<ChunkSpan> pending, bool sent);

    /// <summary>The tally an earlier hop recorded for <paramref name="work"/>'s range when it was done (<see cref="RememberAsync"/>),
    /// so that the node answers it at once instead of walking the range again; null when there is none to take.</summary>
    Task<TTally?> RecallAsync(JobManifest manifest, NodeWork work);

    /// <summary>Records <paramref name="tally"/> for <paramref name="work"/>'s range if the range is done for good, for the
    /// hops after this one (<see cref="RecallAsync"/>). Best effort.</summary>
    Task RememberAsync(JobManifest manifest, NodeWork work, TTally tally);
}
