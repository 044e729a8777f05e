using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>GET /api/batch: the jobs newest first, a page at a time, every job once, the status filter exact; a page's
/// storage calls do not depend on the jobs' sizes.</summary>
[Trait("Tier", "Orchestration")]
public sealed class ListTests
{
    [Fact]
    public async Task ThirtyJobsOfMixedStates_PagedByTen_EveryJobOnceNewestFirst_TheStatusFilterExact()
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4, hopDeadlineSeconds: 20, maxAttempts: 1);
        var expected = new List<(string JobId, JobStatus Status)>();
        for (var i = 0; i < 30; i++)
        {
            var jobId = $"job-{i:D2}";
            var start = InlineJobs.Start(jobId, "count", InlineJobs.Words(4 + i, seed: i), chunkSize: 2);
            switch (i % 5)
            {
                case 0 or 1:
                    Assert.Equal(JobStatus.Succeeded, (await host.PostAsync(start)).JobStatus);
                    expected.Add((jobId, JobStatus.Succeeded));
                    break;
                case 2:
                    host.Caller.Inject(CallFault.Status(BatchActions.ProcessChunk, 503, [1]));
                    Assert.Equal(JobStatus.Failed, (await host.PostAsync(start)).JobStatus);
                    host.Caller.ClearFaults();
                    expected.Add((jobId, JobStatus.Failed));
                    break;
                case 3:
                    await host.StoreOnlyAsync(start);
                    Assert.Equal(JobStatus.Cancelled, (await host.PostAsync(JsonSerializer.Serialize(new { action = "cancel", jobId }))).JobStatus);
                    expected.Add((jobId, JobStatus.Cancelled));
                    break;
                default:
                    await host.StoreOnlyAsync(start); // accepted, not run
                    expected.Add((jobId, JobStatus.Pending));
                    break;
            }
            host.Clock.Advance(TimeSpan.FromSeconds(1)); // one job a second: newest first is the reverse order
        }
        expected.Reverse();

        var all = await ListAllAsync(host, status: null);
        var failed = await ListAllAsync(host, nameof(JobStatus.Failed));
        var pending = await ListAllAsync(host, nameof(JobStatus.Pending));

        Assert.Equal(3, all.Pages);
        Assert.Equal(expected, all.Jobs);
        Assert.Equal(expected.Where(j => j.Status == JobStatus.Failed), failed.Jobs);
        Assert.Equal(expected.Where(j => j.Status == JobStatus.Pending), pending.Jobs);
    }

    [Theory]
    [InlineData("running", null, "status")]
    [InlineData(null, "0", "top")]
    [InlineData(null, "101", "top")]
    [InlineData(null, "ten", "top")]
    public async Task ABadQuery_Is400NamingTheParameter(string? status, string? top, string field)
    {
        await using var host = OrchestrationHost.Start();

        var refused = await host.ListAsync(status, top);

        Assert.Equal(400, refused.Status);
        Assert.True(refused.At("errors").TryGetProperty(field, out _), refused.ToString());
    }

    // Follows the continuation tokens to the end, ten at a time.
    private static async Task<(List<(string JobId, JobStatus Status)> Jobs, int Pages)> ListAllAsync(OrchestrationHost host, string? status)
    {
        var jobs = new List<(string, JobStatus)>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await host.ListAsync(status, "10", token);
            Assert.Equal(200, page.Status);
            pages++;
            foreach (var job in page.At("jobs").EnumerateArray())
            {
                Assert.False(job.TryGetProperty("result", out _));
                jobs.Add((job.GetProperty("jobId").GetString()!, Enum.Parse<JobStatus>(job.GetProperty("status").GetString()!)));
            }
            token = page.Body.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
        }
        while (token is not null && pages < 10);
        return (jobs, pages);
    }
}
