using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FanOut.LocalHost.Hosting;

namespace FanOut.Benchmarks;

/// <summary>The time of <c>GET /api/batch/{jobId}</c> at several job sizes, while the job runs and once it ended, through
/// LocalHost's real worker and an in-memory Azurite emptied before each job; every setting at its default (one-item
/// <c>count</c> chunks). Beside it, what a status read cost before the progress log: one listing of the job's
/// committed chunks (with their metadata), timed once the job ended.</summary>
internal static class StatusBenchmark
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);
    private const int FinishedReads = 25;

    public static async Task<string> RunAsync(IReadOnlyList<int> sizes)
    {
        await using var azurite = await AzuriteProcess.StartAsync(inMemory: true);
        await using var host = await ScaleHost.StartAsync(azurite, 100);
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("fanout");
        await MeasureAsync(host, container, sizes[0]); // warm-up
        var rows = new List<Row>();
        foreach (var size in sizes)
        {
            rows.Add(await MeasureAsync(host, container, size));
            var row = rows[^1];
            Console.Error.WriteLine($"{size:N0} chunks: {row.Running.Count} reads while running, median {Median(row.Running):F1} ms (max {row.Running.Max():F1}); "
                                    + $"finished median {Median(row.Finished):F1} ms; listing the chunks {row.ListingMs:F0} ms");
        }
        return Report(rows);
    }

    private static async Task<Row> MeasureAsync(ScaleHost host, BlobContainerClient container, int chunks)
    {
        var jobId = await host.StartJobAsync(chunks);
        var running = new List<double>();
        string status;
        do
        {
            await Task.Delay(Pause);
            (status, var ms) = await ReadAsync(host.Http, jobId);
            if (status is "Pending" or "Running")
            {
                running.Add(ms);
            }
        }
        while (status is "Pending" or "Running");
        if (status != "Succeeded")
        {
            throw new InvalidOperationException($"the job of {chunks} chunks ended {status}");
        }
        var finished = new List<double>();
        for (var i = 0; i < FinishedReads; i++)
        {
            finished.Add((await ReadAsync(host.Http, jobId)).Ms);
        }
        var listing = Stopwatch.StartNew();
        var listed = 0;
        await foreach (var _ in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, $"jobs/{jobId}/chunks/", default))
        {
            listed++;
        }
        if (listed != chunks)
        {
            throw new InvalidOperationException($"listed {listed} committed chunks of {chunks}");
        }
        return new Row(chunks, running, finished, listing.Elapsed.TotalMilliseconds);
    }

    private static async Task<(string Status, double Ms)> ReadAsync(HttpClient http, string jobId)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync($"api/batch/{jobId}");
        var text = await response.Content.ReadAsStringAsync();
        var ms = clock.Elapsed.TotalMilliseconds;
        response.EnsureSuccessStatusCode();
        return (JsonDocument.Parse(text).RootElement.GetProperty("status").GetString()!, ms);
    }

    private static string Report(List<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("`GET /api/batch/{jobId}` of a job of one-item `count` chunks, every setting at its default, through LocalHost's real worker; each job on an emptied in-memory Azurite; reads every 100 ms while it runs, then 25 once it ended. The last column is what a status read cost before the progress log: one listing of the job's committed chunks.");
        text.AppendLine();
        text.AppendLine("| chunks | reads while running | running: median ms | running: 90th pct ms | finished: median ms | listing the chunks (ms) |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Chunks:N0} | {row.Running.Count} | {Median(row.Running):F1} | {Percentile(row.Running, 0.9):F1} | {Median(row.Finished):F1} | {row.ListingMs:F0} |");
        }
        if (rows.Count >= 2)
        {
            var (first, last) = (rows[0], rows[^1]);
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{last.Chunks:N0} over {first.Chunks:N0} chunks: running {Median(last.Running) / Median(first.Running):F2}, finished {Median(last.Finished) / Median(first.Finished):F2} (goal: at most 2).");
        }
        return text.ToString();
    }

    private static double Median(IReadOnlyList<double> values) => Percentile(values, 0.5);

    private static double Percentile(IReadOnlyList<double> values, double share)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(share * sorted.Length))];
    }

    private sealed record Row(int Chunks, IReadOnlyList<double> Running, IReadOnlyList<double> Finished, double ListingMs);
}
