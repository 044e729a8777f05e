using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.LocalHost;

/// <summary>Secrets fail fast and loud: LocalHost (a process of its own, the real worker, real Azurite) started with
/// <c>FanOut__SigningKey</c> set to a Key Vault reference the platform did not resolve takes no jobs, says which setting
/// and which role, and writes nothing.</summary>
[Collection(StorageCollection.Name)]
public sealed class UnresolvedSecretTests(AzuriteFixture storage)
{
    private const string Reference = "@Microsoft.KeyVault(SecretUri=https://example.vault.azure.net/secrets/fanout-signing-key/)";

    [Fact]
    public async Task LocalHost_WithTheSigningKeyAnUnresolvedKeyVaultReference_TakesNoJob_NamesTheSettingAndTheRole_AndWritesNothing()
    {
        var container = $"kvref-{Guid.NewGuid():N}";
        var log = Path.Combine(Path.GetTempPath(), $"fanout-kvref-{Guid.NewGuid():N}.log");
        var environment = new Dictionary<string, string>
        {
            ["FanOut__Storage__ConnectionString"] = storage.ConnectionString,
            ["FanOut__Storage__Container"] = container,
            ["FanOut__SigningKey"] = Reference,
            ["FanOut__LocalDevelopment"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var before = await AccountAsync();

        await using var host = await LocalHostProcess.StartAsync(log, environment, orNotReady: true);
        using var client = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromMinutes(1) };
        var jobId = NewJobId();
        using var start = await client.PostAsJsonAsync("api/batch", StartBody(jobId, Words(4), chunkSize: 2, waitSeconds: 5));
        // Whoever reads the public reference text can sign with it: such a call is refused too.
        var forged = $$"""{"action":"dispatch","jobId":"{{jobId}}","runId":"r","depth":1}""";
        using var signed = new HttpRequestMessage(HttpMethod.Post, "api/batch") { Content = new StringContent(forged, Encoding.UTF8, "application/json") };
        signed.Headers.Add(FanOut.Core.Security.InternalCallSigner.Header, TestKeys.Sign(forged, key: Reference));
        using var dispatch = await client.SendAsync(signed);
        using var status = await client.GetAsync($"api/batch/{jobId}");

        foreach (var answer in new[] { start, dispatch, status })
        {
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)answer.StatusCode} {body}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal("urn:fanout:problem:secret-unresolved", problem.RootElement.GetProperty("type").GetString());
            var detail = problem.RootElement.GetProperty("detail").GetString()!;
            Assert.StartsWith("FanOut__SigningKey is an unresolved Key Vault reference", detail);
            Assert.Contains("Key Vault Secrets User", detail);
            Assert.DoesNotContain("example.vault.azure.net", body);
            Assert.NotNull(answer.Headers.RetryAfter);
        }
        Assert.NotNull(host.NotReady);
        Assert.StartsWith("FanOut__SigningKey is an unresolved Key Vault reference", host.NotReady);
        await host.DisposeAsync();

        var output = await File.ReadAllTextAsync(log);
        Assert.DoesNotContain("FanOut.LocalHost ready:", output);
        // The worker's own start-up log (SecretReadiness, at Critical; the worker sends its event id by name, which the
        // host's console does not show) names the setting and the role.
        var logged = output.Split('\n').SkipWhile(line => !line.StartsWith("crit: FanOut.Core.Readiness.SecretReadiness[", StringComparison.Ordinal)).Take(2).ToList();
        Assert.True(logged.Count == 2, output);
        Assert.Contains("FanOut__SigningKey is an unresolved Key Vault reference", logged[1]);
        Assert.Contains("'Key Vault Secrets User'", logged[1]);
        Assert.False(await new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(container).ExistsAsync());
        Assert.Equal(before, await AccountAsync());
    }

    // Every container of the account and every blob in it, with its ETag: what a write would change.
    private async Task<List<string>> AccountAsync()
    {
        var service = new BlobServiceClient(storage.ConnectionString);
        var seen = new List<string>();
        await foreach (var container in service.GetBlobContainersAsync())
        {
            seen.Add($"{container.Name} {container.Properties.ETag}");
            await foreach (var blob in service.GetBlobContainerClient(container.Name).GetBlobsAsync())
            {
                seen.Add($"{container.Name}/{blob.Name} {blob.Properties.ETag}");
            }
        }
        return seen;
    }
}
