using FanOut.Tests.Support;
using Xunit.Sdk;

namespace FanOut.Tests.Ledger;

/// <summary>The contract suite bites: an in-memory ledger whose If-None-Match is broken (a write that should keep what is
/// there replaces it, <see cref="InMemoryJobLedger.IfNoneMatchBroken"/>) fails the cases of the conditional writes that
/// rest on it, the chunk's commit and the manifest's create, while the same cases pass on the sound ledger
/// (<see cref="InMemoryLedgerContractTests"/>).</summary>
public sealed class LedgerContractBitesTests
{
    [Fact]
    public Task BrokenIfNoneMatch_FailsTheSecondCommitCase() =>
        Assert.ThrowsAnyAsync<XunitException>(() => new BrokenIfNoneMatch().CommitChunk_SecondCommit_GetsTheFirstBackAsADuplicate());

    [Fact]
    public Task BrokenIfNoneMatch_FailsTheConcurrentCommitsCase() =>
        Assert.ThrowsAnyAsync<XunitException>(() => new BrokenIfNoneMatch().CommitChunk_ConcurrentCommitsOfOneChunk_ExactlyOneWinsAndAllSeeIt());

    [Fact]
    public Task BrokenIfNoneMatch_FailsTheSecondCreateCase() =>
        Assert.ThrowsAnyAsync<XunitException>(() => new BrokenIfNoneMatch().Create_SecondRequestForTheJobId_ReturnsTheFirstAndRemovesItsOwnInput());

    [Fact]
    public Task BrokenIfNoneMatch_FailsTheConcurrentCreatesCase() =>
        Assert.ThrowsAnyAsync<XunitException>(() => new BrokenIfNoneMatch().Create_ConcurrentRequestsForOneJobId_AllGetOneManifestAndOnlyItsInputStays());

    // Not public: xunit does not run it as a suite of its own, only through the cases above.
    private sealed class BrokenIfNoneMatch : LedgerContract
    {
        internal override LedgerStores Open() => InMemoryLedgerContractTests.Of(new InMemoryJobLedger { IfNoneMatchBroken = true });
    }
}
