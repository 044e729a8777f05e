using FanOut.Core.Configuration;
using FanOut.Core.Dispatch;
using FanOut.Core.Ledger;
using FanOut.Core.Planning;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Runs;

/// <summary>Where each chunk of a CSV job cut by bytes starts: inside a quoted field or not. The quote pass
/// counts each chunk's quotes (down the same tree the chunks will take, so no node makes more than
/// FanoutWidth calls); the parity of the counts before a chunk, within its blob, is its state. After a
/// chunk whose count failed or did not finish, the rest of its blob has no known state this run, with
/// the error when the count failed: those chunks are not sent, and resume counts again.</summary>
internal sealed class CsvStartStates(IJobStore jobStore, TreeWalker walker, QuotePass quotes, IOptions<FanOutOptions> options)
{
    /// <summary>Each chunk's state, and for an unknown one after a failed count, why; and whether every call of the pass's
    /// tree was seen to an end (<see cref="NodeAnswer{TTally}.Quiet"/>).</summary>
    public async Task<(QuoteState[] States, string?[] Errors, bool Quiet)> FindAsync(JobManifest manifest, string runId, HopDeadline deadline)
    {
        var plan = await jobStore.ReadSourcePlanAsync(manifest).ConfigureAwait(false);
        var all = new ChunkSpan(0, manifest.ChunkCount);
        var walked = await walker.WalkAsync(manifest, NodeWork.Root(runId, manifest, [all], options.Value), quotes, deadline).ConfigureAwait(false);
        var counted = walked.Tally;
        var failures = counted.Failures.ToDictionary(f => f.Chunk, f => f.Error);
        var states = new QuoteState[manifest.ChunkCount];
        var errors = new string?[manifest.ChunkCount];
        bool? inside = false;
        string? error = null;
        for (var i = 0; i < states.Length; i++)
        {
            if (i == 0 || plan.Chunks[i].Blob != plan.Chunks[i - 1].Blob)
            {
                (inside, error) = (false, null);
            }
            (states[i], errors[i]) = (inside switch { true => QuoteState.Inside, false => QuoteState.Outside, null => QuoteState.Unknown }, error);
            var parity = counted.Parities[i];
            if (parity is QuoteParity.Even or QuoteParity.Odd && inside is { } known)
            {
                inside = known ^ (parity == QuoteParity.Odd);
            }
            else if (inside is not null)
            {
                inside = null;
                error = parity == QuoteParity.Failed
                    ? $"The quote state at this chunk's start is unknown: counting the quotes of chunk {i} failed ({failures.GetValueOrDefault(i, "see the failures of the quote pass")})."
                    : null;
            }
        }
        return (states, errors, walked.Quiet);
    }
}
