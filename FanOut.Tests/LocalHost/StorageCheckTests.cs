using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using FanOut.LocalHost.Hosting;
using FanOut.LocalHost.Worker;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.LocalHost;

/// <summary>Configuration checked before ready, and no empty 5xx: LocalHost (a process of its own, as the demo starts
/// it) with the real worker and real Azurite.</summary>
[Collection(StorageCollection.Name)]
public sealed class StorageCheckTests(AzuriteFixture storage)
{
    private const string InvocationIdHeader = "X-FanOut-Invocation-Id";

    // The account's name with another key: a base64 key the account does not have, and one that is not base64 at all.
    [Theory]
    [InlineData("b3RoZXIta2V5LW9mLXRoZS1zYW1lLWxlbmd0aC1hcy1henVyaXRlcy1vd24ta2V5LTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=")]
    [InlineData("not-base64!")]
    public async Task LocalHost_WithAWrongAccountKey_IsNotReady_AndAnswersEveryRequest503ProblemNamingTheSetting(string wrongKey)
    {
        var container = $"badkey-{Guid.NewGuid():N}";
        var connection = WithKey(storage.ConnectionString, wrongKey);
        var log = Path.Combine(Path.GetTempPath(), $"fanout-badkey-{Guid.NewGuid():N}.log");
        var environment = new Dictionary<string, string>
        {
            ["FanOut__Storage__ConnectionString"] = connection,
            ["FanOut__Storage__Container"] = container,
            ["Logging__LogLevel__Default"] = "Warning",
        };

        await using var host = await LocalHostProcess.StartAsync(log, environment, orNotReady: true);
        using var client = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromMinutes(1) };
        using var malformed = await client.PostAsync("api/batch", new StringContent("""{"action":"start_fanout","items":[1,""", Encoding.UTF8, "application/json"));
        using var start = await client.PostAsJsonAsync("api/batch", StartBody(NewJobId(), Words(4), chunkSize: 2, waitSeconds: 5));
        using var status = await client.GetAsync("api/batch/some-job");

        foreach (var answer in new[] { malformed, start, status })
        {
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)answer.StatusCode} {body}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal("urn:fanout:problem:storage-misconfigured", problem.RootElement.GetProperty("type").GetString());
            Assert.StartsWith("FanOut__Storage__ConnectionString: ", problem.RootElement.GetProperty("detail").GetString());
            Assert.DoesNotContain(wrongKey, body);
            Assert.NotNull(answer.Headers.RetryAfter);
        }
        Assert.NotNull(host.NotReady);
        Assert.StartsWith("FanOut__Storage__ConnectionString: ", host.NotReady);
        await host.DisposeAsync();
        var output = await File.ReadAllTextAsync(log);
        Assert.DoesNotContain("FanOut.LocalHost ready:", output);
        Assert.DoesNotContain(wrongKey, output);
        Assert.Contains("FanOut__Storage__ConnectionString", output);   // the worker's log says why
        Assert.False(await new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(container).ExistsAsync());
    }

    [Fact]
    public async Task LocalHost_InvocationPastFunctionTimeout_Answers500ProblemWithTheInvocationId()
    {
        // start_fanout waits for its job, whose chunks the test holds: the invocation runs past host.json's
        // functionTimeout, and the host cancels it.
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), chunkDelay: TimeSpan.FromSeconds(5),
            hostJson: new HostJson("api", MaxConcurrentRequests: null, MaxOutstandingRequests: null, FunctionTimeout: TimeSpan.FromSeconds(1)));

        using var answer = await server.Client.PostAsJsonAsync("api/batch", StartBody(NewJobId(), Words(4), chunkSize: 2, waitSeconds: 10));

        var body = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("urn:fanout:problem:timed-out", problem.RootElement.GetProperty("type").GetString());
        var id = problem.RootElement.GetProperty("invocationId").GetString();
        Assert.True(Guid.TryParse(id, out _), body);
        Assert.Equal(id, answer.Headers.GetValues(InvocationIdHeader).Single());
    }

    private static string WithKey(string connectionString, string key) =>
        string.Join(';', connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.StartsWith("AccountKey=", StringComparison.OrdinalIgnoreCase) ? $"AccountKey={key}" : part)) + ";";
}
