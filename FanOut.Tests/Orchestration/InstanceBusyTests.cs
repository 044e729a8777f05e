using System.Globalization;
using FanOut.Core.Http;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Orchestration;

/// <summary>An instance keeps a slot for the work its waiting invocations wait for: at most one slot fewer than it has run
/// invocations that wait for others (dispatch, start_fanout, resume, cancel); another is answered 503 instance-busy with
/// Retry-After at once, before it reads or writes anything.</summary>
public sealed class InstanceBusyTests
{
    [Theory]
    [InlineData(16, 15)]
    [InlineData(4, 3)]
    [InlineData(1, 1)] // one slot: a waiting invocation may hold it (its work goes to other instances)
    public async Task Limit_IsOneSlotFewerThanTheInstanceHas_AtLeastOne(int perInstance, int limit)
    {
        await using var host = OrchestrationHost.Start(settings: Platform(perInstance));
        var waiting = host.Services.GetRequiredService<WaitingInvocations>();

        var places = Enumerable.Range(0, limit).Select(_ => waiting.TryEnter()).ToList();

        Assert.Equal(limit, waiting.Limit);
        Assert.All(places, Assert.NotNull);
        Assert.Null(waiting.TryEnter());
        places[0]!.Dispose();
        places[0]!.Dispose(); // given back once
        using var again = waiting.TryEnter();
        Assert.NotNull(again);
        Assert.Null(waiting.TryEnter());
    }

    [Fact]
    public async Task StartFanout_WhenTheInstanceRunsAsManyWaitingInvocationsAsItMay_Is503InstanceBusyAtOnce_AndStoresNothing()
    {
        await using var host = OrchestrationHost.Start(settings: Platform(8));
        var waiting = host.Services.GetRequiredService<WaitingInvocations>();
        var held = Enumerable.Range(0, waiting.Limit).Select(_ => waiting.TryEnter()!).ToList();

        var refused = await host.PostAsync("""{"action":"start_fanout","jobId":"busy","processor":"count","chunkSize":1,"items":[1,2,3]}""");
        var stored = await host.Ledger.GetManifestAsync("busy");
        var dispatched = host.Caller.Calls(Core.Contracts.BatchActions.Dispatch);
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
        Assert.Equal("Succeeded", accepted.JobStatus);
    }

    private static Dictionary<string, string?> Platform(int perInstance) =>
        new() { ["FanOut:Platform:PerInstanceConcurrency"] = perInstance.ToString(CultureInfo.InvariantCulture) };
}
