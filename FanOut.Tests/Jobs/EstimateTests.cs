using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Jobs;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary><c>estimate</c>: the plan a dry run answers, plus a projection from a sample of the chunks run for real as
/// standalone chunks: exactly the sample is sent, nothing is committed or written, and the projection is the documented
/// arithmetic of what the sample measured, the plan and the price table.</summary>
[Trait("Tier", "Orchestration")]
public sealed class EstimateTests
{
    private const string JobId = "estimated";

    [Fact]
    public async Task InlineJob_RunsExactlyTheSample_CommitsAndWritesNothing_AnswersThePlanAndTheProjection()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var items = InlineJobs.Words(20, seed: 5);
        var start = InlineJobs.Start(JobId, "wordcount", items, chunkSize: 2);

        var plain = await host.PostAsync(With(start, "\"dryRun\":true"));
        var estimated = await host.PostAsync(With(start, "\"estimate\":{\"sample\":4}"));

        Assert.Equal(200, estimated.Status);
        // Exactly the sample ran, each chunk once, as a standalone chunk: no dispatcher, nothing committed, no blob.
        var sample = estimated.At("estimate", "sample");
        var chunks = sample.GetProperty("chunks").EnumerateArray().Select(c => c.GetInt32()).ToList();
        Assert.Equal(JobEstimator.Sample(JobId, 10, 4), chunks);
        Assert.Equal(4, chunks.Distinct().Count());
        Assert.Equal(chunks, host.Caller.ChunksCalled(BatchActions.ProcessChunk).Order());
        Assert.Equal(0, host.Caller.Calls(BatchActions.Dispatch));
        Assert.Empty(host.Ledger.Names(""));
        Assert.Null(host.Ledger.Manifest(JobId));

        // The plan is the dry run's, field for field.
        foreach (var field in plain.Body.EnumerateObject())
        {
            Assert.Equal(field.Value.GetRawText(), estimated.Body.GetProperty(field.Name).GetRawText());
        }
        Assert.Equal(plain.Body.EnumerateObject().Count() + 1, estimated.Body.EnumerateObject().Count());

        var estimate = estimated.At("estimate");
        Assert.Equal(4, sample.GetProperty("size").GetInt32());
        Assert.Equal(8, sample.GetProperty("records").GetInt64()); // two items in each sampled chunk
        Assert.Equal(0, sample.GetProperty("failed").GetInt32());
        Assert.True(sample.GetProperty("minSeconds").GetDouble() <= sample.GetProperty("medianSeconds").GetDouble());
        Assert.True(sample.GetProperty("medianSeconds").GetDouble() <= sample.GetProperty("maxSeconds").GetDouble());
        Assert.Equal(plain.Number("invocations"), estimate.GetProperty("invocations").GetInt64());

        // Storage operations, as documented: a commit and an output part per chunk (wordcount emits no part: one write),
        // the dispatchers' reads and writes, and the run's own.
        var levels = plain.At("treeLevels").EnumerateArray().Select(l => l.GetInt64()).ToList();
        var dispatchers = levels[..^1].Sum();
        var operations = estimate.GetProperty("storageOperations");
        Assert.Equal(JobEstimator.JobReads + dispatchers * JobEstimator.DispatcherReads, operations.GetProperty("reads").GetInt64());
        Assert.Equal(JobEstimator.JobWrites + dispatchers * JobEstimator.DispatcherWrites + 10, operations.GetProperty("writes").GetInt64());
        Assert.Equal(JobEstimator.JobLists, operations.GetProperty("lists").GetInt64());
        Assert.Contains("A projection from 4 of 10 chunks", estimate.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAFixedPriceTable_TheProjectionAndTheCostAreTheDocumentedArithmetic()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, settings: new Dictionary<string, string?>
        {
            ["FanOut:Estimate:InstanceMemoryMB"] = "1024",
            ["FanOut:Estimate:Prices:Currency"] = "EUR",
            ["FanOut:Estimate:Prices:AsOf"] = "2020-01-02",
            ["FanOut:Estimate:Prices:PerGbSecond"] = "0.5",
            ["FanOut:Estimate:Prices:PerMillionExecutions"] = "3",
            ["FanOut:Estimate:Prices:PerTenThousandWrites"] = "7",
            ["FanOut:Estimate:Prices:PerTenThousandReads"] = "11",
            ["FanOut:Estimate:Prices:PerTenThousandLists"] = "13",
        });
        host.Caller.ChunkWork = TimeSpan.FromMilliseconds(20); // so that the times are not all zero
        var start = InlineJobs.Start(JobId, "count", InlineJobs.Words(30, seed: 2), chunkSize: 1, maxConcurrency: 4);

        var reply = await host.PostAsync(With(start, "\"estimate\":{}"));

        Assert.Equal(200, reply.Status);
        var estimate = reply.At("estimate");
        var sample = estimate.GetProperty("sample");
        Assert.Equal(8, sample.GetProperty("size").GetInt32()); // the default sample
        Assert.Equal(8, host.Caller.Calls(BatchActions.ProcessChunk));

        // Time: the waves of chunks at the plan's concurrency, each the median, plus the fastest round trip per dispatch level.
        var chunks = reply.Number("chunks");
        var concurrency = reply.Number("concurrency");
        var levels = reply.At("treeLevels").GetArrayLength() - 1;
        var (min, median) = (sample.GetProperty("minSeconds").GetDouble(), sample.GetProperty("medianSeconds").GetDouble());
        var seconds = estimate.GetProperty("seconds").GetDouble();
        Assert.Equal(4, concurrency);
        Assert.InRange(seconds, (chunks + concurrency - 1) / concurrency * median + levels * min - 0.01, (chunks + concurrency - 1) / concurrency * median + levels * min + 0.01);
        Assert.True(median > 0);

        // GB-seconds: the instances busy (its calls in flight over the instance's 1,000 slots: one) × 1 GB × the time.
        Assert.Equal(1, estimate.GetProperty("instances").GetInt32());
        Assert.Equal(1024, estimate.GetProperty("instanceMemoryMB").GetInt32());
        var gbSeconds = estimate.GetProperty("gbSeconds").GetDouble();
        Assert.Equal(Math.Round(seconds, 3), gbSeconds);

        // Cost: each part by its price, rounded to millionths, and their sum.
        var cost = estimate.GetProperty("cost");
        var operations = estimate.GetProperty("storageOperations");
        var executionTime = Math.Round((decimal)gbSeconds * 0.5m, 6);
        var executions = Math.Round(estimate.GetProperty("invocations").GetInt64() * 3m / 1_000_000m, 6);
        var storage = Math.Round((operations.GetProperty("writes").GetInt64() * 7m + operations.GetProperty("reads").GetInt64() * 11m
                                  + operations.GetProperty("lists").GetInt64() * 13m) / 10_000m, 6);
        Assert.Equal("EUR", cost.GetProperty("currency").GetString());
        Assert.Equal(executionTime, cost.GetProperty("executionTime").GetDecimal());
        Assert.Equal(executions, cost.GetProperty("executions").GetDecimal());
        Assert.Equal(storage, cost.GetProperty("storage").GetDecimal());
        Assert.Equal(executionTime + executions + storage, cost.GetProperty("total").GetDecimal());
        Assert.Equal("2020-01-02", cost.GetProperty("prices").GetProperty("asOf").GetString());
        Assert.Equal(0.5m, cost.GetProperty("prices").GetProperty("perGbSecond").GetDecimal());
        Assert.Contains("as of 2020-01-02 in EUR", estimate.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"estimate\":{\"sample\":0}", "estimate.sample")]
    [InlineData("\"estimate\":{\"sample\":33}", "estimate.sample")]
    [InlineData("\"estimate\":{\"samples\":3}", "estimate.samples")]
    [InlineData("\"estimate\":true", "estimate")]
    [InlineData("\"estimate\":{},\"dryRun\":false", "estimate")]
    public async Task BadEstimateFields_Are400NamingTheField_WithNothingSentOrWritten(string fields, string field)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var start = InlineJobs.Start(JobId, "count", InlineJobs.Words(10, seed: 1), chunkSize: 1);

        var reply = await host.PostAsync(With(start, fields));

        Assert.Equal(400, reply.Status);
        Assert.True(reply.At("errors").TryGetProperty(field, out _), reply.Body.GetRawText());
        Assert.Equal(0, host.Caller.Calls(BatchActions.ProcessChunk));
        Assert.Empty(host.Ledger.Names(""));
    }

    [Fact]
    public void TheSample_IsDistinctChunksInOrder_TheSameForAJobId_AndEveryChunkOfASmallJob()
    {
        var sample = JobEstimator.Sample("job-a", 1_000_000, 8);

        Assert.Equal(8, sample.Distinct().Count());
        Assert.Equal(sample.Order(), sample);
        Assert.All(sample, c => Assert.InRange(c, 0, 999_999));
        Assert.Equal(sample, JobEstimator.Sample("job-a", 1_000_000, 8));
        Assert.NotEqual(sample, JobEstimator.Sample("job-b", 1_000_000, 8));
        Assert.Equal([0, 1, 2], JobEstimator.Sample("job-a", 3, 3));
        Assert.Empty(JobEstimator.Sample("job-a", 0, 0));
    }

    private static string With(string start, string fields) =>
        start.Replace("\"action\":\"start_fanout\"", "\"action\":\"start_fanout\"," + fields, StringComparison.Ordinal);
}
