namespace FanOut.Core.Ledger;

/// <summary>The four stores of the ledger in one, while <see cref="JobLedger"/> still implements them together.</summary>
internal interface IJobLedger : IJobStore, IChunkStore, IRunStore, ISignalStore
{
}
