using System.Globalization;
using FanOut.Cli.Api;
using FanOut.Contracts;

namespace FanOut.Cli.Output;

/// <summary>The words of a progress report: <c>Running  42% 84/200 chunks, 1 failed, 8,400 items  0:12</c>.</summary>
internal static class ProgressText
{
    public static string Of(JobResult job, TimeSpan elapsed, int? barWidth = null)
    {
        var chunks = job.Chunks ?? new ChunkCounts(0, 0, 0, 0);
        var done = chunks.Succeeded + chunks.Failed;
        var share = chunks.Total == 0 ? 0 : (double)done / chunks.Total;
        var bar = barWidth is { } width ? Bar(share, width) + " " : "";
        var failed = chunks.Failed > 0 ? string.Create(CultureInfo.InvariantCulture, $", {chunks.Failed} failed") : "";
        var items = job.Items is { } i ? string.Create(CultureInfo.InvariantCulture, $", {i.Processed:N0} items") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{bar}{job.Status,-10} {share * 100,3:F0}% {done}/{chunks.Total} chunks{failed}{items}  {(int)elapsed.TotalMinutes}:{elapsed.Seconds:D2}");
    }

    private static string Bar(double share, int width)
    {
        var filled = (int)Math.Round(share * width);
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }
}
