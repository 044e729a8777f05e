namespace FanOut.Benchmarks;

/// <summary>One measured run: how many chunks (or requests) in how long, and the per-request latencies.</summary>
internal sealed record RunResult(int Chunks, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double ChunksPerSecond => Chunks / Elapsed.TotalSeconds;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    private double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
