using FanOut.LocalHost.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace FanOut.Tests.LocalHost;

/// <summary>The front's routing: slots per instance, the fewest-active instance first, one bounded FIFO queue. (It took
/// over host.json's throttles: maxConcurrentRequests bounds the slots, maxOutstandingRequests the queue, see
/// ClusterOptionsTests; what HttpThrottleTests showed for one instance is shown here for the router.)</summary>
public sealed class SlotRouterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task AcquireAsync_PastSlotsAndQueue_IsRefused_AndRunsAtMostSlotsAtOnce()
    {
        var sut = CreateSut(queueCapacity: 2, Ready(1, slots: 2));

        var running = new[] { await sut.AcquireAsync(CancellationToken.None), await sut.AcquireAsync(CancellationToken.None) };
        var third = sut.AcquireAsync(CancellationToken.None);
        var fourth = sut.AcquireAsync(CancellationToken.None);
        var fifth = await sut.AcquireAsync(CancellationToken.None);

        Assert.All(running, Assert.NotNull);
        Assert.False(third.IsCompleted);         // two run: the next two wait their turn
        Assert.False(fourth.IsCompleted);
        Assert.Null(fifth);                      // and the queue is full: refused
        Assert.Equal(2, sut.Waiting);
        running[0]!.Dispose();
        var next = await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(next);                    // the first in line gets the slot given back
        Assert.False(fourth.IsCompleted);
        Assert.Equal(2, running[1]!.Instance.Busy);
    }

    [Fact]
    public async Task AcquireAsync_WaitingPastTheBound_IsRefused_AndLeavesTheQueue()
    {
        var sut = CreateSut(queueCapacity: 5, Ready(1, slots: 1));
        using var held = await sut.AcquireAsync(CancellationToken.None);

        var waiting = sut.AcquireAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, sut.Waiting);
    }

    [Fact]
    public async Task AcquireAsync_ThreeInstances_GoesToTheLeastBusy_InTurnAmongEquals()
    {
        Instance[] instances = [Ready(1, slots: 2), Ready(2, slots: 2), Ready(3, slots: 2)];
        var sut = CreateSut(queueCapacity: 0, instances);

        var slots = new List<Slot?>();
        for (var i = 0; i < 7; i++)
        {
            slots.Add(await sut.AcquireAsync(CancellationToken.None));
        }

        Assert.Equal([1, 2, 3, 1, 2, 3], slots.Take(6).Select(s => s!.Instance.Id));
        Assert.Null(slots[6]);                   // every slot of every instance is taken, and no queue
        slots[4]!.Dispose();                     // instance 2 has a free slot again: the next goes there
        Assert.Equal(2, (await sut.AcquireAsync(CancellationToken.None))!.Instance.Id);
    }

    [Fact]
    public async Task Dispose_Twice_FreesOneSlot()
    {
        var instance = Ready(1, slots: 1);
        var sut = CreateSut(queueCapacity: 0, instance);
        var slot = await sut.AcquireAsync(CancellationToken.None);

        slot!.Dispose();
        slot.Dispose();

        Assert.Equal(0, instance.Busy);
    }

    [Fact]
    public async Task Add_AnInstanceBecomingReady_ServesTheQueue()
    {
        var sut = CreateSut(queueCapacity: 5);

        var waiting = sut.AcquireAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);       // no instance is ready yet
        sut.Add(Ready(7, slots: 1));

        Assert.Equal(7, (await waiting.WaitAsync(TimeSpan.FromSeconds(10)))!.Instance.Id);
    }

    private SlotRouter CreateSut(int queueCapacity, params Instance[] instances)
    {
        var sut = new SlotRouter(() => queueCapacity, TimeSpan.FromSeconds(10), _time);
        foreach (var instance in instances)
        {
            sut.Add(instance);
        }
        return sut;
    }

    private Instance Ready(int id, int slots)
    {
        var instance = new Instance(id, slots, NullLoggerFactory.Instance, _time);
        instance.BecomeReady([], []);
        return instance;
    }
}
