using System.Globalization;
using FanOut.Core.Contracts;
using FanOut.Core.Http;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Http;

/// <summary>An instance keeps a slot for the work its waiting invocations wait for: callers (start_fanout, resume, cancel) and
/// dispatchers each have a bounded pool, together a slot fewer than the instance has; another is answered 503 instance-busy
/// with Retry-After at once, before it reads or writes anything.</summary>
[Trait("Tier", "Orchestration")]
public sealed class InstanceBusyTests
{
    [Theory]
    [InlineData(16, 6, 9)]  // Flex's 16 slots: 6 callers (3 waiting for their jobs' end), 9 dispatchers, one slot left for chunks
    [InlineData(4, 1, 2)]   // a root, a dispatcher under it and a caller; the fourth slot for chunks
    [InlineData(2, 1, 1)]   // a caller waits for a run that has a place of its own; chunks take the caller's slot after it
    public async Task Limits_LeaveTheWorkASlot_AndGiveTheRunsAPlaceOfTheirOwn(int perInstance, int callers, int dispatchers)
    {
        await using var host = OrchestrationHost.Start(settings: Platform(perInstance));
        var waiting = host.Services.GetRequiredService<WaitingInvocations>();

        var starts = Enumerable.Range(0, callers).Select(_ => waiting.TryEnter(BatchActions.StartFanout)).ToList();
        var runs = Enumerable.Range(0, dispatchers).Select(_ => waiting.TryEnter(BatchActions.Dispatch)).ToList();

        Assert.Equal((callers, dispatchers), (waiting.CallerLimit, waiting.DispatcherLimit));
        Assert.All(starts.Concat(runs), Assert.NotNull);
        Assert.Null(waiting.TryEnter(BatchActions.Resume));
        Assert.Null(waiting.TryEnter(BatchActions.Dispatch));
        runs[0]!.Dispose();
        runs[0]!.Dispose(); // given back once
        using var again = waiting.TryEnter(BatchActions.Dispatch);
        Assert.NotNull(again);
        Assert.Null(waiting.TryEnter(BatchActions.Dispatch));
    }

    [Fact]
    public async Task StartFanout_WhenTheInstanceRunsAsManyWaitingInvocationsAsItMay_Is503InstanceBusyAtOnce_AndStoresNothing()
    {
        await using var host = OrchestrationHost.Start(settings: Platform(8));
        var waiting = host.Services.GetRequiredService<WaitingInvocations>();
        var held = Enumerable.Range(0, waiting.CallerLimit).Select(_ => waiting.TryEnter(BatchActions.StartFanout)!).ToList();

        var refused = await host.PostAsync("""{"action":"start_fanout","jobId":"busy","processor":"count","chunkSize":1,"items":[1,2,3]}""");
        var stored = await host.Ledger.Jobs.GetManifestAsync("busy");
        var dispatched = host.Caller.Calls(BatchActions.Dispatch);
        var chunk = await host.PostAsync("""{"items":[1,2,3]}"""); // work that waits for nothing still runs
        held.ForEach(place => place.Dispose());
        var accepted = await host.PostAsync("""{"action":"start_fanout","jobId":"busy","processor":"count","chunkSize":1,"items":[1,2,3]}""");

        Assert.Equal(503, refused.Status);
        Assert.Equal("urn:fanout:problem:instance-busy", refused.At("type").GetString());
        Assert.Equal("1", refused.Headers["Retry-After"]);
        Assert.Null(stored);
        Assert.Equal(0, dispatched);
        Assert.Equal(200, chunk.Status);
        Assert.Equal(200, accepted.Status);
        Assert.Equal(JobStatus.Succeeded, accepted.JobStatus);
    }

    private static Dictionary<string, string?> Platform(int perInstance) =>
        new() { ["FanOut:Platform:PerInstanceConcurrency"] = perInstance.ToString(CultureInfo.InvariantCulture) };
}
