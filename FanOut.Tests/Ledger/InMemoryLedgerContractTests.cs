using FanOut.Tests.Support;

namespace FanOut.Tests.Ledger;

/// <summary>The ledger's contract held against the stores the orchestration tests run on (<see cref="InMemoryJobLedger"/>).</summary>
public sealed class InMemoryLedgerContractTests : LedgerContract
{
    internal override LedgerStores Open() => Of(new InMemoryJobLedger());

    /// <summary>The four stores of an in-memory ledger.</summary>
    internal static LedgerStores Of(InMemoryJobLedger ledger) => new(ledger.Jobs, ledger.Chunks, ledger.Runs, ledger.Signals);
}
