using FanOut.LocalHost.Worker;

namespace FanOut.Tests.LocalHost;

public sealed class HttpThrottleTests
{
    [Fact]
    public async Task TryEnter_PastMaxOutstanding_IsRefused_AndRunsAtMostMaxConcurrentAtOnce()
    {
        var sut = new HttpThrottle(maxConcurrentRequests: 2, maxOutstandingRequests: 4);

        var places = Enumerable.Range(0, 4).Select(_ => sut.TryEnter()).ToList();
        Assert.All(places, Assert.NotNull);
        Assert.Null(sut.TryEnter());
        Assert.Equal(4, sut.Outstanding);

        await places[0]!.WaitTurnAsync(CancellationToken.None);
        await places[1]!.WaitTurnAsync(CancellationToken.None);
        var third = places[2]!.WaitTurnAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);        // two run: the third waits its turn

        places[0]!.Dispose();
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(sut.TryEnter());         // and a place is free again
        Assert.Equal(4, sut.Outstanding);
    }

    [Fact]
    public void Dispose_Twice_FreesOnePlace()
    {
        var sut = new HttpThrottle(null, 1);
        var place = sut.TryEnter()!;

        place.Dispose();
        place.Dispose();

        Assert.Equal(0, sut.Outstanding);
    }

    [Fact]
    public async Task NoLimits_NeverRefusesOrWaits()
    {
        var sut = new HttpThrottle(null, null);

        var places = Enumerable.Range(0, 1000).Select(_ => sut.TryEnter()!).ToList();
        await Task.WhenAll(places.Select(p => p.WaitTurnAsync(CancellationToken.None)));

        Assert.Equal(1000, sut.Outstanding);
    }
}
