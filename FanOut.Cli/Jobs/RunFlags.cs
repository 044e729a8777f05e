namespace FanOut.Cli.Jobs;

/// <summary>What <c>fanout run</c> was told about the job; null: not given.</summary>
internal sealed record RunFlags
{
    public FileInfo? RequestFile { get; init; }
    public string? JobId { get; init; }
    public string? Processor { get; init; }
    public string? Source { get; init; }
    public string? Format { get; init; }
    public FileInfo? ItemsFile { get; init; }
    public int? ChunkSize { get; init; }
    public long? ChunkBytes { get; init; }
    public int? MaxConcurrency { get; init; }
    public double? ToleratedFailurePercent { get; init; }
    public int? ToleratedFailureCount { get; init; }
    public string? Options { get; init; }

    /// <summary>Chunks of the estimate's sample, when <c>--estimate</c> was given (0: the app's default).</summary>
    public int? EstimateSample { get; init; }
}
