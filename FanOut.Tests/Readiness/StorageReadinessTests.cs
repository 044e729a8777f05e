using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FanOut.Core.Configuration;
using FanOut.Core.Readiness;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace FanOut.Tests.Readiness;

public sealed class StorageReadinessTests
{
    private const string Secret = "c2VjcmV0LWtleS10aGF0LW11c3QtbmV2ZXItc2hvdw==";
    private readonly FakeTimeProvider _time = new();
    private int _calls;

    [Fact]
    public async Task CheckAsync_KeyRefused_Is503ProblemNamingTheSettingNeverItsValue()
    {
        var sut = CreateSut(_ => throw new RequestFailedException(403, "Server failed to authenticate the request.", "AuthenticationFailed", null));

        var reply = await sut.CheckAsync();

        Assert.NotNull(reply);
        Assert.Equal(503, reply.StatusCode);
        Assert.StartsWith("application/problem+json", reply.ContentType);
        Assert.Equal("60", reply.Headers["Retry-After"]);
        var body = Encoding.UTF8.GetString(reply.Body);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("urn:fanout:problem:storage-misconfigured", problem.RootElement.GetProperty("type").GetString());
        Assert.StartsWith("FanOut__Storage__ConnectionString: Blob Storage refused it (403 AuthenticationFailed)", problem.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain(Secret, body);
        Assert.False(sut.IsReady);
    }

    [Fact]
    public async Task CheckAsync_ContainerNotFound_IsReady_TheAccountTookTheCredentials()
    {
        var sut = CreateSut(_ => throw new RequestFailedException(404, "The specified container does not exist.", "ContainerNotFound", null));

        Assert.Null(await sut.CheckAsync());
        Assert.Null(await sut.CheckAsync());
        Assert.True(sut.IsReady);
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task CheckAsync_Unreachable_IsRetriedOnRequestAtMostEveryFiveSeconds_ThenReady()
    {
        var down = true;
        var sut = CreateSut(_ => down ? throw new RequestFailedException("Connection refused (127.0.0.1:10000)", new HttpRequestException("refused")) : null);

        var first = await sut.CheckAsync();
        var soon = await sut.CheckAsync();
        down = false;
        _time.Advance(TimeSpan.FromSeconds(4));
        var stillCached = await sut.CheckAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        var later = await sut.CheckAsync();

        using var problem = JsonDocument.Parse(first!.Body);
        Assert.Equal("urn:fanout:problem:storage-unreachable", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal("5", first.Headers["Retry-After"]);
        Assert.NotNull(soon);
        Assert.NotNull(stillCached);
        Assert.Null(later);
        Assert.Equal(2, _calls);
    }

    [Fact]
    public async Task CheckAsync_KeyRefused_IsTriedAgainOnlyAfterAMinute()
    {
        var sut = CreateSut(_ => throw new RequestFailedException(403, "denied", "AuthorizationPermissionMismatch", null));

        await sut.CheckAsync();
        _time.Advance(TimeSpan.FromSeconds(59));
        await sut.CheckAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        await sut.CheckAsync();

        Assert.Equal(2, _calls);
    }

    [Theory]
    [InlineData("FanOut:Storage:ConnectionString", "AccountName=a;AccountKey=%%%;BlobEndpoint=http://127.0.0.1:9/a", "FanOut__Storage__ConnectionString")]
    [InlineData("AzureWebJobsStorage", "AccountName=a;AccountKey=%%%;BlobEndpoint=http://127.0.0.1:9/a", "AzureWebJobsStorage")]
    [InlineData("AzureWebJobsStorage", "not a connection string %%%", "AzureWebJobsStorage")]
    public async Task Create_SettingTheSdkCannotRead_IsMisconfiguredNamingIt(string name, string value, string named)
    {
        var sut = StorageReadiness.Create(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [name] = value }).Build(), NullLoggerFactory.Instance);

        var reply = await sut.CheckAsync();

        var body = Encoding.UTF8.GetString(reply!.Body);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("urn:fanout:problem:storage-misconfigured", problem.RootElement.GetProperty("type").GetString());
        Assert.StartsWith($"{named}: ", problem.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("%%%", body);
    }

    [Fact]
    public void Setting_ServiceUri_IsNamedOverTheHostAccount()
    {
        var storage = new StorageOptions { ServiceUri = new Uri("https://account.blob.core.windows.net") };
        storage.FallBackToHostAccount("UseDevelopmentStorage=true");

        Assert.Equal("FanOut__Storage__ServiceUri", storage.Setting);
        Assert.Null(storage.ConnectionString);
    }

    private StorageReadiness CreateSut(Func<int, Response<BlobContainerProperties>?> answer)
    {
        var container = new Mock<BlobContainerClient>();
        container.Setup(c => c.GetPropertiesAsync(It.IsAny<BlobRequestConditions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => answer(Interlocked.Increment(ref _calls)) ?? Response.FromValue(BlobsModelFactory.BlobContainerProperties(DateTimeOffset.UnixEpoch, new ETag("\"1\"")), Mock.Of<Response>()));
        var service = new Mock<BlobServiceClient>();
        service.Setup(s => s.GetBlobContainerClient("fanout")).Returns(container.Object);
        var storage = new StorageOptions { ConnectionString = $"AccountName=a;AccountKey={Secret}" };
        return new StorageReadiness(storage, () => service.Object, _time, NullLogger.Instance);
    }
}
