using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FanOut.LocalHost.Hosting;

namespace FanOut.Benchmarks;

/// <summary>What a chunk commit costs the in-memory Azurite as its store grows: two Azurites side by side, one with
/// the blobs collection indexed by name only (build/azurite-preload.js, what the project runs) and one with
/// Azurite's own four indices (AZURITE_BLOB_INDICES=all), filled in turns, a slice at a time, with small blobs
/// written as the ledger commits a chunk (If-None-Match: *), at the fan-out's concurrency. Per slice: commits per
/// second and Azurite's CPU per commit.</summary>
internal static class StoreGrowthBenchmark
{
    private const int Slices = 10;

    public static async Task<string> RunAsync(int blobs, int concurrency)
    {
        await using var named = await StartAsync(allIndices: false);
        await using var all = await StartAsync(allIndices: true);
        var stores = new[] { (Name: "name index only (the project's)", Azurite: named), (Name: "Azurite's four indices", Azurite: all) };
        var containers = await Task.WhenAll(stores.Select(async s =>
        {
            var container = new BlobContainerClient(s.Azurite.ConnectionString, "growth");
            await container.CreateIfNotExistsAsync();
            return container;
        }));
        var rows = new List<string>();
        var slice = blobs / Slices;
        for (var i = 0; i < Slices; i++)
        {
            var cells = new List<string>();
            // The two take turns going first.
            foreach (var s in i % 2 == 0 ? [0, 1] : new[] { 1, 0 })
            {
                var (rate, cpu) = await FillAsync(containers[s], stores[s].Azurite.ProcessId, i * slice, slice, concurrency);
                cells.Add($"{rate:F0} commits/s, {cpu * 1000:F3} ms");
                Console.Error.WriteLine($"{stores[s].Name}: blobs {i * slice:N0} to {(i + 1) * slice:N0}: {rate:F0} commits/s, Azurite {cpu * 1000:F3} ms CPU per commit");
            }
            rows.Add($"| {i * slice:N0} to {(i + 1) * slice:N0} | {(i % 2 == 0 ? cells[0] : cells[1])} | {(i % 2 == 0 ? cells[1] : cells[0])} |");
        }
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Store growth: {blobs:N0} chunk commits (If-None-Match PUT of a 25-byte JSON blob) into each of two in-memory Azurites started side by side, {Slices} slices each, taking turns; concurrency {concurrency}; Azurite's CPU from /proc.");
        text.AppendLine();
        text.AppendLine("| blobs already stored | name index only (build/azurite-preload.js): rate, Azurite CPU per commit | Azurite's four indices: rate, Azurite CPU per commit |");
        text.AppendLine("|---|---:|---:|");
        rows.ForEach(r => text.AppendLine(r));
        return text.ToString();
    }

    private static async Task<AzuriteProcess> StartAsync(bool allIndices)
    {
        // The preload reads it when Azurite starts, which inherits this process's environment.
        Environment.SetEnvironmentVariable("AZURITE_BLOB_INDICES", allIndices ? "all" : null);
        try
        {
            return await AzuriteProcess.StartAsync(inMemory: true);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AZURITE_BLOB_INDICES", null);
        }
    }

    private static async Task<(double Rate, double CpuPerCommit)> FillAsync(BlobContainerClient container, int azurite, int first, int count, int concurrency)
    {
        var body = BinaryData.FromString("""{"records":1,"bytes":4}""");
        var options = new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
        var cpu = ProcessCpu.Seconds(azurite)[0];
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(first, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
            await container.GetBlobClient($"jobs/growth/chunks/{i:D7}.json").UploadAsync(body, options, ct));
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (count / elapsed, (ProcessCpu.Seconds(azurite)[0] - cpu) / count);
    }
}
