using System.Text;
using System.Text.Json.Nodes;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>Secrets stay secret: a whole job, logged at Debug, with a function key, a signing key and a
/// storage account key configured.</summary>
[Collection(StorageCollection.Name)]
public sealed class SecretsEndToEndTests(AzuriteFixture storage)
{
    private const string FunctionKey = "fk-secret-5b1e0c7d9a2f4e6b8c0d1e2f3a4b5c6d";

    [Fact]
    public async Task AJobLoggedAtDebug_NeverShowsAKeyInItsLogsAnswersOrBlobs()
    {
        var logs = new ListLoggerProvider();
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:FunctionKey"] = FunctionKey,
            ["FanOut:Storage:InputContainers"] = "inputs",
        }), logs: logs);
        server.Client.DefaultRequestHeaders.Add("x-functions-key", FunctionKey);
        var blobs = new JobBlobs(storage.ConnectionString);
        await blobs.UploadAsync("inputs", "secrets-test/words.txt", Encoding.UTF8.GetBytes("alpha beta\ngamma\n"));
        var jobId = NewJobId();
        var sourceJob = NewJobId();
        server.RejectChunk = chunk => chunk == 1;   // a failure is logged too

        var inline = await PostAsync(server, StartBody(jobId, Words(30), chunkSize: 10, toleratedFailurePercent: 50));
        server.RejectChunk = null;
        var bySource = await PostAsync(server, new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = sourceJob, ["processor"] = "wordcount", ["chunkSize"] = 1,
            ["source"] = new JsonObject { ["container"] = "inputs", ["blob"] = "secrets-test/words.txt" },
        });
        using var unsigned = await server.PostInternalAsync($$"""{"action":"dispatch","jobId":"{{jobId}}","runId":"x","depth":1}""", signature: null);

        var accountKey = storage.ConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        string[] secrets = [FunctionKey, TestKeys.Signing, accountKey];
        var logText = string.Join('\n', logs.Entries.Select(e => $"{e.Category} {e.Message} {string.Join(' ', e.State.Select(s => s.Value))}"));
        var stored = new StringBuilder();
        foreach (var blob in (await blobs.ListAsync($"jobs/{jobId}/")).Concat(await blobs.ListAsync($"jobs/{sourceJob}/")))
        {
            stored.Append(await blobs.ReadAsync(blob.Name));
        }
        var answers = $"{inline.Body} {bySource.Body} {await unsigned.Content.ReadAsStringAsync()}";

        Assert.Equal("Succeeded", inline.Body.GetProperty("status").GetString());
        Assert.Equal("Succeeded", bySource.Body.GetProperty("status").GetString());
        Assert.Contains(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Debug);   // Debug was on
        Assert.Contains(logs.Entries, e => e.Message.Contains("chunk 1 failed", StringComparison.Ordinal));
        Assert.All(secrets, secret =>
        {
            Assert.DoesNotContain(secret, logText, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, stored.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, answers, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AJobOnAStorageSasLoggedAtDebug_NeverShowsTheSasSignature()
    {
        var service = new Azure.Storage.Blobs.BlobServiceClient(storage.ConnectionString);
        var sas = service.GenerateAccountSasUri(Azure.Storage.Sas.AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1),
            Azure.Storage.Sas.AccountSasResourceTypes.All);
        var signature = System.Web.HttpUtility.ParseQueryString(sas.Query)["sig"]!;
        var logs = new ListLoggerProvider();
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:Storage:ConnectionString"] = $"BlobEndpoint={service.Uri};SharedAccessSignature={sas.Query.TrimStart('?')}",
        }), logs: logs);
        server.RejectChunk = chunk => chunk == 0;

        var job = await PostAsync(server, StartBody(NewJobId(), Words(20), chunkSize: 10, toleratedFailurePercent: 50));
        var missing = await server.Client.GetStringAsync("api/batch/no-such-job-here").ContinueWith(t => t.Exception?.Message ?? t.Result);

        var logText = string.Join('\n', logs.Entries.Select(e => $"{e.Category} {e.Message} {string.Join(' ', e.State.Select(s => s.Value))}"));
        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());   // the SAS worked
        Assert.DoesNotContain(signature, logText, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(signature), logText, StringComparison.Ordinal);
        Assert.DoesNotContain(signature, job.Body.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(signature, missing, StringComparison.Ordinal);
    }
}
