using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Jobs;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>dryRun's plan foretells the run: its tree levels are the calls each level makes, and its invocations
/// are every call the run takes (start_fanout, every dispatch node of every pass, every chunk, every count).</summary>
[Trait("Tier", "Orchestration")]
public sealed class DryRunTests
{
    [Theory]
    [InlineData(3, 4)]
    [InlineData(20, 4)]
    [InlineData(101, 100)]
    public async Task InlineJob_PlanFortellsTheRunsCalls(int chunks, int width)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: width);
        var items = InlineJobs.Words(chunks, seed: chunks);
        var start = InlineJobs.Start("planned", "count", items, chunkSize: 1);

        var plan = await host.PostAsync(start.Replace("\"action\":\"start_fanout\"", "\"action\":\"start_fanout\",\"dryRun\":true", StringComparison.Ordinal));
        Assert.Null(host.Ledger.Manifest("planned")); // nothing written
        var run = await host.PostAsync(start);

        Assert.Equal(JobStatus.Succeeded, run.JobStatus);
        Assert.Equal(plan.Number("invocations"), 1 + Invocations(host));
        Assert.Equal(plan.At("treeLevels").EnumerateArray().Select(l => l.GetInt32()).Last(), host.Caller.Calls(BatchActions.ProcessChunk));
    }

    [Theory]
    [InlineData(3)] // one level: the root counts and sends itself
    [InlineData(5)] // two levels: each pass has its own nodes below the root
    public async Task CsvJobCutByBytes_PlanFortellsTheRunsCalls_TheQuotePassIncluded(int chunks)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        const long chunkBytes = StartFanoutValidator.MinChunkBytes;
        host.Blobs.Put("table.csv", CsvSources.Generate(seed: chunks, minBytes: (chunks - 1) * chunkBytes + 1000).Bytes);
        var start = CsvSources.Start("planned", chunkBytes, blob: "table.csv");

        var plan = await host.PostAsync(start.Replace("\"action\":\"start_fanout\"", "\"action\":\"start_fanout\",\"dryRun\":true", StringComparison.Ordinal));
        var run = await host.PostAsync(start);

        Assert.Equal(JobStatus.Succeeded, run.JobStatus);
        Assert.Equal(chunks, plan.Number("chunks"));
        Assert.Equal(plan.Number("invocations"), 1 + Invocations(host));
    }

    [Theory]
    [InlineData("id,note\n1,a\n2,\"never closed\n3,b\n", 2)]       // the last quote never closes: one record to the end
    [InlineData("id,note\n1,a\n2,\"never closed\n3,b", 2)]
    [InlineData("id,note\n1,a\"b\n2,\"\"\"\n", 1)]                // quotes inside unquoted fields: 4 quotes, one record
    public async Task MalformedCsvCutIntoRecords_DryRunsItemsAreTheRunsRecords(string csv, int records)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        host.Blobs.Put("bad.csv", System.Text.Encoding.UTF8.GetBytes(csv));
        var start = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["action"] = "start_fanout", ["jobId"] = "malformed", ["processor"] = "count", ["chunkSize"] = 1,
            ["source"] = new Dictionary<string, string> { ["container"] = InMemoryBlobService.InputContainer, ["blob"] = "bad.csv", ["format"] = "csv" },
        });

        var plan = await host.PostAsync(start.Replace("\"action\":\"start_fanout\"", "\"action\":\"start_fanout\",\"dryRun\":true", StringComparison.Ordinal));
        var run = await host.PostAsync(start);

        Assert.Equal(JobStatus.Succeeded, run.JobStatus);
        Assert.Equal(records, plan.Number("items"));
        Assert.Equal(plan.Number("items"), run.Number("items", "processed"));
        Assert.Equal(plan.Number("items"), run.Number("result", "records"));
    }

    // Every internal call of the run (the start_fanout itself is the 1 above).
    private static long Invocations(OrchestrationHost host) =>
        host.Caller.Calls(BatchActions.Dispatch) + host.Caller.Calls(BatchActions.ProcessChunk) + host.Caller.Calls(BatchActions.CountQuotes);
}
