using FanOut.LocalHost.Cluster;
using FanOut.LocalHost.Worker;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace FanOut.Tests.LocalHost;

public sealed class FunctionsFrontTests
{
    [Fact]
    public async Task InvokeAsync_BeforeTheWorkerIsReady_Answers503WithRetryAfter()
    {
        var settings = new LocalHostSettings(AppContext.BaseDirectory, new HostJson("api", null, null, null), new Dictionary<string, string>());
        var cluster = ClusterOptions.Default;
        var router = new SlotRouter(() => 10, cluster.QueueTimeout, TimeProvider.System);
        var pool = new InstancePool(settings, cluster, router, Mock.Of<IServer>(), Mock.Of<IHostApplicationLifetime>(), NullLoggerFactory.Instance,
            new ConfigurationBuilder().Build(), TimeProvider.System);
        var sut = new FunctionsFront(pool, router, cluster, settings, NullLogger<FunctionsFront>.Instance);
        var http = new DefaultHttpContext { Request = { Method = "POST", Path = "/api/batch" } };

        await sut.InvokeAsync(http);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal("1", http.Response.Headers.RetryAfter.ToString());
    }
}
