using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Configuration;
using FanOut.Core.Diagnostics;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>Walks a pass down a job's dispatch tree. A range of at most FanoutWidth chunks is a leaf: the
/// pass does its work. A larger one is split (<see cref="DispatchTree.Split"/>) and each sub-range is sent
/// as <c>dispatch</c> to another invocation, through the same sender as the chunks; the children's answers
/// are combined on the way up, so no node holds more than its children's tallies. When the node's
/// deadline passes it stops sending and waiting and answers what it has; the rest is unfinished.</summary>
internal sealed class TreeWalker(SelfCalls calls, JobLevel level, IOptions<FanOutOptions> options, TimeProvider timeProvider, ILogger<TreeWalker> logger)
{
    /// <summary>Runs <paramref name="work"/> and answers its range's tally.</summary>
    public async Task<NodeAnswer<TTally>> WalkAsync<TTally>(JobManifest manifest, NodeWork work, IPass<TTally> pass, HopDeadline deadline)
        where TTally : class
    {
        var width = options.Value.Dispatch.FanoutWidth;
        // A range an earlier hop finished is answered from its recorded tally, without walking it again.
        if (await pass.RecallAsync(manifest, work).ConfigureAwait(false) is { } recalled)
        {
            return new NodeAnswer<TTally> { Tally = recalled, Levels = DispatchTree.Levels(work.Span.Count, width), Quiet = true };
        }
        var answer = await WalkRangeAsync(manifest, work, pass, deadline, width).ConfigureAwait(false);
        await pass.RememberAsync(manifest, work, answer.Tally).ConfigureAwait(false);
        return answer;
    }

    private async Task<NodeAnswer<TTally>> WalkRangeAsync<TTally>(JobManifest manifest, NodeWork work, IPass<TTally> pass, HopDeadline deadline, int width)
        where TTally : class
    {
        var children = DispatchTree.Split(work.Span, width).ToList();
        if (children.Count == 0)
        {
            // A leaf answers once its lanes have returned: it sends nothing after its answer.
            return new NodeAnswer<TTally> { Tally = await pass.LeafAsync(manifest, work, deadline).ConfigureAwait(false), Levels = 1, Quiet = true };
        }
        var answerType = (JsonTypeInfo<NodeAnswer<TTally>>)RunsJsonContext.Default.GetTypeInfo(typeof(NodeAnswer<TTally>))!;
        // The node's slots are shared among a few wide lanes; a child gets its lane's share, so however deep the tree, the
        // job never has more calls in flight than its maxConcurrency, and few dispatchers wait on them.
        var lanes = NodeWork.Lanes(work.Slots, children.Count, work.Pending.Sum(run => (long)run.Count));
        // A child scales its share by the job's level itself, while it runs; here, a lower level stops the lanes above the
        // node's scaled share once their child answers (a higher one needs no more lanes: their children grow).
        var slots = level.SlotsOf(manifest, work.Slots);
        var sent = new bool[children.Count];
        var ends = await calls.SendAsync(manifest.JobId, children.Count, (i, lane) =>
        {
            sent[i] = true; // built as it is sent
            var budget = deadline.Remaining;
            var body = JsonSerializer.SerializeToUtf8Bytes(
                TreeNodeRequest.For(manifest.JobId, work.Child(children[i], lanes[lane]), pass.Name, budget, timeProvider.GetUtcNow() + budget),
                RunsJsonContext.Default.TreeNodeRequest);
            return new SelfCall(body, $"{manifest.JobId}/dispatch/{children[i].First}", budget);
        }, slots, lanes.Length, deadline.Token).ConfigureAwait(false);

        var tallies = new TTally[children.Count];
        var levels = 0;
        var quiet = true;
        for (var i = 0; i < children.Count; i++)
        {
            NodeAnswer<TTally>? answer = null;
            if (ends[i] is { } end && (answer = end.Read(answerType, out var error)) is null)
            {
                Log.SubtreeFailed(logger, manifest.JobId, children[i].First, children[i].Count, end.StatusCode, error ?? "");
            }
            tallies[i] = answer?.Tally ?? pass.Missing(children[i], NodeWork.Slice(work.Pending, children[i]), sent[i]);
            levels = Math.Max(levels, answer?.Levels ?? 0);
            quiet &= !sent[i] || HeardFrom(ends[i], answer?.Quiet);
        }
        return new NodeAnswer<TTally> { Tally = pass.Combine(manifest, tallies), Levels = 1 + levels, Quiet = quiet };
    }

    // True when a child's call is known to be over, its subtree with it: answered at its first attempt (an earlier attempt
    // given up may still run), with a quiet subtree, or with a refusal (the invocation ended, or never ran). A child not
    // heard from may still be sending: starved, or its answer lost.
    private static bool HeardFrom(SelfCallResult? end, bool? answerQuiet) =>
        end is { Attempts: 1, WasAnswered: true } && (answerQuiet ?? !end.IsSuccess);
}
