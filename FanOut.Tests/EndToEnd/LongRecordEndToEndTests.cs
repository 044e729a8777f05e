using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;
using Xunit.Abstractions;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>One record much longer than a chunk costs about what the same bytes as ordinary lines cost: the chunks
/// that start inside it read their own range and stop, instead of each reading the rest of the record.</summary>
[Collection(StorageCollection.Name)]
public sealed class LongRecordEndToEndTests(AzuriteFixture storage, ITestOutputHelper output)
{
    /// <summary>The long record's size in the suite (the 64 MB: set FANOUT_LONG_RECORD_MB=64).</summary>
    public static readonly int RecordMegabytes = int.TryParse(Environment.GetEnvironmentVariable("FANOUT_LONG_RECORD_MB"), out var mb) ? mb : 16;

    private const string Inputs = "inputs";
    private const int ChunkBytes = 64 * 1024;
    private readonly JobBlobs _blobs = new(storage.ConnectionString);

    [Fact]
    public async Task OneRecordOfManyChunks_TakesAtMostTwiceTheTimeOfTheSameBytesAsLines()
    {
        var size = RecordMegabytes * 1024 * 1024;
        var record = new byte[size];
        Array.Fill(record, (byte)'x');
        record[^1] = (byte)'\n';
        var lines = new byte[size];
        Array.Fill(lines, (byte)'y');
        for (var i = 99; i < size; i += 100)
        {
            lines[i] = (byte)'\n';
        }
        await _blobs.UploadAsync(Inputs, "long-record.txt", record);
        await _blobs.UploadAsync(Inputs, "short-lines.txt", lines);
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Storage:InputContainers"] = Inputs }));
        await RunAsync(server, "short-lines.txt"); // warm-up: the first job pays for the worker's first calls

        var (linesTime, linesJob) = await RunAsync(server, "short-lines.txt");
        var (recordTime, recordJob) = await RunAsync(server, "long-record.txt");

        output.WriteLine($"{RecordMegabytes} MB in {size / ChunkBytes} chunks: one record {recordTime.TotalSeconds:F2} s, "
                         + $"lines of 100 bytes {linesTime.TotalSeconds:F2} s, ratio {recordTime / linesTime:F2}");
        Assert.Equal(1, recordJob["result"]!["records"]!.GetValue<long>());
        Assert.Equal(size - 1, recordJob["result"]!["bytes"]!.GetValue<long>());
        Assert.Equal((size + 99) / 100, linesJob["result"]!["records"]!.GetValue<long>());
        Assert.True(recordTime <= 2 * linesTime, $"one record {recordTime.TotalSeconds:F2} s, lines {linesTime.TotalSeconds:F2} s");
    }

    private static async Task<(TimeSpan Time, JsonNode Job)> RunAsync(LocalHostServer server, string blob)
    {
        var clock = Stopwatch.StartNew();
        var job = await PostAsync(server, new JsonObject
        {
            ["action"] = "start_fanout", ["processor"] = "count", ["chunkBytes"] = ChunkBytes, ["waitSeconds"] = 200,
            ["source"] = new JsonObject { ["container"] = Inputs, ["blob"] = blob, ["format"] = "lines" },
        });
        clock.Stop();
        Assert.True(job.Status == HttpStatusCode.OK && job.Body.GetProperty("status").GetString() == "Succeeded", job.Body.ToString());
        return (clock.Elapsed, JsonNode.Parse(job.Body.GetRawText())!);
    }
}
