namespace FanOut.Core.Contracts;

/// <summary>start_fanout's <c>estimate</c>: answer the plan (as <c>dryRun</c> does) and a projection of the run, from a
/// sample of the job's chunks run for real but committed nowhere (<c>{}</c> takes the defaults).</summary>
internal sealed record EstimateRequest
{
    /// <summary>Chunks to run as the sample (default FanOut__Estimate__Sample; at most FanOut__Estimate__MaxSample; fewer
    /// when the job has fewer).</summary>
    public int? Sample { get; set; }
}
