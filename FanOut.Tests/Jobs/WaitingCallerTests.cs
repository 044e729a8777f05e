using System.Globalization;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>Waiting callers never starve the work: one instance lets at most FanOut:Platform's waiting callers wait for a job
/// at once (a quarter of its slots but one); a caller beyond them is answered at once, as if it had sent waitSeconds 0 (202
/// with the job's status, its job started all the same), while the ones within the cap wait as before.</summary>
[Trait("Tier", "Orchestration")]
public sealed class WaitingCallerTests
{
    // The chunk 1 of every job answers this late (on the host's clock): the jobs run while their callers wait.
    private static readonly TimeSpan ChunkLate = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(8, 1)]  // 8 slots: 1 waiting caller
    [InlineData(16, 3)] // Flex's 16 slots: 3
    public async Task StartFanout_WithTheWaitingCallersCapReached_Answers202AtOnce_TheOthersWaitForTheirJobs(int perInstance, int waiting)
    {
        await using var host = OrchestrationHost.Start(settings: new Dictionary<string, string?>
        {
            ["FanOut:Platform:PerInstanceConcurrency"] = perInstance.ToString(CultureInfo.InvariantCulture),
        });
        Assert.Equal(waiting, new PlatformOptions { PerInstanceConcurrency = perInstance }.WaitingCallersPerInstance);
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, ChunkLate, [1]));
        var waiters = new List<Task<JobReply>>();
        for (var i = 0; i < waiting; i++)
        {
            waiters.Add(host.PostAsync(Start($"waits-{i}", waitSeconds: 60)));
            await host.WaitUntilAsync(() => host.Caller.Held == waiters.Count, $"job {i} runs, its chunk 1 late");
        }

        var extra = host.PostAsync(Start("extra", waitSeconds: 60));
        var advanced = await AdvanceUntilAsync(host, extra, TimeSpan.FromMilliseconds(100), maxSteps: 20);

        Assert.True(extra.IsCompleted, $"no answer after {advanced} of the host's clock");
        var answer = await extra;
        Assert.Equal(202, answer.Status);
        Assert.Contains(answer.JobStatus, new JobStatus?[] { JobStatus.Pending, JobStatus.Running });
        Assert.True(advanced < TimeSpan.FromSeconds(2), $"answered after {advanced} of the host's clock");
        Assert.All(waiters, waiter => Assert.False(waiter.IsCompleted));

        await AdvanceUntilAsync(host, Task.WhenAll(waiters), TimeSpan.FromSeconds(1));
        Assert.All(await Task.WhenAll(waiters), reply =>
        {
            Assert.Equal(200, reply.Status);
            Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        });
        await host.AdvanceUntilIdleAsync();
        Assert.Equal(JobStatus.Succeeded, (await host.StatusAsync("extra")).JobStatus); // its job ran all the same
    }

    [Fact]
    public async Task Resume_WithTheWaitingCallersCapReached_Answers202AtOnce()
    {
        await using var host = OrchestrationHost.Start(settings: new Dictionary<string, string?> { ["FanOut:Platform:PerInstanceConcurrency"] = "8" });
        await host.StoreOnlyAsync(Start("stored", waitSeconds: 60));
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, ChunkLate, [1]));
        var waiter = host.PostAsync(Start("waits", waitSeconds: 60));
        await host.WaitUntilAsync(() => host.Caller.Held == 1, "the waiter's job runs, its chunk 1 late");

        var resume = host.PostAsync(JsonSerializer.Serialize(new { action = "resume", jobId = "stored", waitSeconds = 60 }));
        var advanced = await AdvanceUntilAsync(host, resume, TimeSpan.FromMilliseconds(100), maxSteps: 20);

        Assert.True(resume.IsCompleted, $"no answer after {advanced} of the host's clock");
        Assert.Equal(202, (await resume).Status);
        Assert.True(advanced < TimeSpan.FromSeconds(2), $"answered after {advanced} of the host's clock");
        Assert.False(waiter.IsCompleted);
        await AdvanceUntilAsync(host, waiter, TimeSpan.FromSeconds(1));
        Assert.Equal(JobStatus.Succeeded, (await waiter).JobStatus);
    }

    [Fact]
    public async Task Cancel_WithTheWaitingCallersCapReached_Answers202AtOnce_AndTheJobEndsCancelled()
    {
        await using var host = OrchestrationHost.Start(settings: new Dictionary<string, string?> { ["FanOut:Platform:PerInstanceConcurrency"] = "8" });
        host.Caller.Inject(CallFault.Late(BatchActions.ProcessChunk, ChunkLate, [1]));
        var waiter = host.PostAsync(Start("waits", waitSeconds: 60));
        await host.WaitUntilAsync(() => host.Caller.Held == 1, "the waiter's job runs, its chunk 1 late");
        var running = host.PostAsync(Start("cancelled", waitSeconds: 0, maxConcurrency: 1)); // chunks 2 and 3 wait for chunk 1
        await AdvanceUntilAsync(host, running, TimeSpan.FromMilliseconds(100), maxSteps: 20);
        Assert.Equal(202, (await running).Status);
        await host.WaitUntilAsync(() => host.Caller.Held == 2, "the second job runs, its chunk 1 late");

        var cancel = host.PostAsync(JsonSerializer.Serialize(new { action = "cancel", jobId = "cancelled", waitSeconds = 10 }));
        var advanced = await AdvanceUntilAsync(host, cancel, TimeSpan.FromMilliseconds(100), maxSteps: 20);

        Assert.True(cancel.IsCompleted, $"no answer after {advanced} of the host's clock");
        Assert.Equal(202, (await cancel).Status);
        Assert.False(waiter.IsCompleted);
        await AdvanceUntilAsync(host, waiter, TimeSpan.FromSeconds(1));
        Assert.Equal(JobStatus.Succeeded, (await waiter).JobStatus);
        await host.AdvanceUntilIdleAsync();
        Assert.Equal(JobStatus.Cancelled, (await host.StatusAsync("cancelled")).JobStatus);
    }

    private static string Start(string jobId, int waitSeconds, int? maxConcurrency = null) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["maxConcurrency"] = maxConcurrency,
        ["action"] = "start_fanout",
        ["jobId"] = jobId,
        ["processor"] = "count",
        ["chunkSize"] = 1,
        ["items"] = new[] { "a", "b", "c", "d" },
        ["waitSeconds"] = waitSeconds,
    }.Where(field => field.Value is not null).ToDictionary());

    // Moves the host's clock a step at a time (bounded) until the task ends; answers how far it moved.
    private static async Task<TimeSpan> AdvanceUntilAsync(OrchestrationHost host, Task task, TimeSpan step, int maxSteps = 200)
    {
        var advanced = TimeSpan.Zero;
        for (var i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(50)));
            if (!task.IsCompleted)
            {
                host.Clock.Advance(step);
                advanced += step;
            }
        }
        return advanced;
    }
}
