using FanOut.LocalHost.Cluster;
using FanOut.LocalHost.Worker;
using Microsoft.Extensions.Configuration;

namespace FanOut.Tests.LocalHost;

public sealed class ClusterOptionsTests
{
    [Fact]
    public void From_NoFlags_IsOneInstanceOfFlexsSixteenSlots()
    {
        var options = ClusterOptions.From(Flags());

        Assert.Equal((1, 1, 16, (TimeSpan?)null), (options.Instances, options.MaxInstances, options.PerInstanceConcurrency, options.RecycleEvery));
        Assert.Equal(16, options.SlotsPerInstance(new HostJson("api", 200, 2000, null)));
    }

    [Theory]
    [InlineData("5s", 5000)]
    [InlineData("500ms", 500)]
    [InlineData("00:00:05", 5000)]
    [InlineData("2m", 120000)]
    public void From_RecycleEvery_ReadsTheUsualWaysOfWritingADuration(string given, int milliseconds)
    {
        var options = ClusterOptions.From(Flags(("recycle-every", given)));

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), options.RecycleEvery);
    }

    [Theory]
    [InlineData("instances", "0", "--instances must be a whole number of at least 1, not '0'.")]
    [InlineData("per-instance-concurrency", "many", "--per-instance-concurrency must be a whole number of at least 1, not 'many'.")]
    [InlineData("recycle-every", "soon", "--recycle-every must be a duration above zero such as 5s, 500ms, 2m or 00:00:05, not 'soon'.")]
    public void From_AValueThatIsNoNumberOrDuration_IsRefusedNamingTheFlag(string flag, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterOptions.From(Flags((flag, value))));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void From_MaxInstancesBelowInstances_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterOptions.From(Flags(("instances", "3"), ("max-instances", "2"))));

        Assert.Equal("--max-instances (2) must be at least --instances (3).", error.Message);
    }

    [Fact]
    public void SlotsAndQueue_FollowHostJsonsThrottlesPerInstance()
    {
        var options = ClusterOptions.From(Flags(("per-instance-concurrency", "16")));
        var tight = new HostJson("api", MaxConcurrentRequests: 2, MaxOutstandingRequests: 4, FunctionTimeout: null);

        Assert.Equal(2, options.SlotsPerInstance(tight));              // maxConcurrentRequests below C bounds the slots
        Assert.Equal(2, options.QueueCapacity(tight, instances: 1));   // maxOutstandingRequests: 4 held, 2 of them running
        Assert.Equal(6, options.QueueCapacity(tight, instances: 3));
        Assert.Equal(3000, options.QueueCapacity(new HostJson("api", null, null, null), instances: 3));
        Assert.Equal(7, ClusterOptions.From(Flags(("queue-length", "7"))).QueueCapacity(tight, instances: 3));
    }

    private static IConfiguration Flags(params (string Name, string Value)[] flags) =>
        new ConfigurationBuilder().AddCommandLine([.. flags.SelectMany(f => new[] { $"--{f.Name}", f.Value })]).Build();
}
