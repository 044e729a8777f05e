using System.Text;
using System.Text.Json;
using Azure;
using FanOut.Core.Http;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Ledger;

public sealed class StorageFailureTests
{
    [Fact]
    public async Task ProcessChunk_StorageUnreachable_Is503WithRetryAfterNever500()
    {
        // TestServices points storage at a closed loopback port: every storage call fails to connect.
        using var services = TestServices.Build();
        using var scope = services.CreateScope();
        var endpoint = scope.ServiceProvider.GetRequiredService<BatchEndpoint>();
        var body = """{ "action": "process_chunk", "jobId": "job-1", "chunk": 0, "depth": 1, "items": [1, 2] }""";

        var reply = await endpoint.PostAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), TestKeys.Sign(body));

        Assert.Equal(503, reply.StatusCode);
        Assert.Equal("1", reply.Headers["Retry-After"]);
        Assert.StartsWith("application/problem+json", reply.ContentType);
        using var problem = JsonDocument.Parse(reply.Body);
        Assert.Equal("urn:fanout:problem:unavailable", problem.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Status_StorageUnreachable_Is503()
    {
        using var services = TestServices.Build();
        using var scope = services.CreateScope();

        var reply = await scope.ServiceProvider.GetRequiredService<BatchEndpoint>().GetJobAsync("job-1");

        Assert.Equal(503, reply.StatusCode);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(412, false)]
    public void IsTransient_ByStatus(int status, bool transient) =>
        Assert.Equal(transient, StorageUnavailableException.IsTransient(new RequestFailedException(status, "x")));

    [Fact]
    public void IsTransient_RetriesThatFailed_OneCutAndOneTimedOut_AreTransient()
    {
        // What a status read met at 900,000 chunks on an overloaded Azurite (answered 500 before: now 503).
        var exhausted = new AggregateException(
            new RequestFailedException(0, "An error occurred while sending the request.", new IOException("Connection reset by peer.")),
            new TaskCanceledException("The operation was canceled."));

        Assert.True(StorageUnavailableException.IsTransient(exhausted));
    }

    [Fact]
    public void IsTransient_RetriesThatAllFailedToConnect_AreTransient()
    {
        var exhausted = new AggregateException(new HttpRequestException("refused"), new RequestFailedException(0, "refused"));

        Assert.True(StorageUnavailableException.IsTransient(exhausted));
        Assert.False(StorageUnavailableException.IsTransient(new InvalidOperationException()));
    }
}
