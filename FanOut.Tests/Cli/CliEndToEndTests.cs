using System.Text;
using System.Text.Json;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.Cli;

/// <summary><c>fanout</c> end to end: the CLI (in process, through its entry) against LocalHost, the real worker and
/// Azurite, with a function key configured, as a pipeline step would run it.</summary>
[Collection(StorageCollection.Name)]
public sealed class CliEndToEndTests(AzuriteFixture storage) : IAsyncLifetime
{
    private const string Key = "fk-cli-7d0c5e2a9b4f4c1e8a6d3b2f0e9c8d7a";
    private static readonly string[] Lines = ["to be or not", "to be", "that is"];

    // A container of its own, so the app's list of jobs holds only this class's.
    private readonly string _container = $"cli{Guid.NewGuid():N}"[..20];
    private readonly string _folder = Directory.CreateTempSubdirectory("fanout-cli-").FullName;
    private readonly CliRunner _cli = new(new Dictionary<string, string?> { ["FANOUT_KEY"] = Key });
    private LocalHostServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await LocalHostServer.StartAsync(storage.Settings(new()
        {
            ["FanOut:FunctionKey"] = Key, ["FanOut:Storage:InputContainers"] = "inputs", ["FanOut:Storage:Container"] = _container,
        }));

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Run_AJobThatSucceeds_Exits0_AndPrintsTheJobWithItsResult()
    {
        var jobId = NewJobId();

        var run = await RunAsync(jobId, key: Key);

        Assert.True(run.ExitCode == 0, run.ToString());
        var job = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Equal(jobId, job.GetProperty("jobId").GetString());
        Assert.Equal(3, job.GetProperty("chunks").GetProperty("succeeded").GetInt32());
        Assert.Equal(8, job.GetProperty("result").GetProperty("total").GetInt64());
        Assert.Contains($"Job {jobId} Succeeded: 3 of 3 chunks, 3 items.", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AJobWithFailedChunks_Exits1_NamingTheFailedChunk()
    {
        _server.RejectChunk = chunk => chunk == 1;
        var jobId = NewJobId();

        var run = await RunAsync(jobId);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("Failed", JsonDocument.Parse(run.Out).RootElement.GetProperty("status").GetString());
        Assert.Contains($"Job {jobId} Failed: 1 of 3 chunks failed", run.Error, StringComparison.Ordinal);
        Assert.Contains("chunk 1 (after", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_AnInvalidRequest_Exits2_WithTheProblemsDetail_AndStoresNothing()
    {
        var jobId = NewJobId();

        var run = await RunAsync(jobId, chunkSize: "0", options: """{"top":3,"lowercase":"yes"}""");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("Refused (400): The request is not valid. Invalid field(s): ", run.Error, StringComparison.Ordinal);
        Assert.Contains("  chunkSize: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("  options.lowercase: ", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
        Assert.Empty(await new JobBlobs(storage.ConnectionString, _container).ListAsync($"jobs/{jobId}/"));
        Assert.DoesNotContain(Key, run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TheSameCommandTwiceWithOneJobId_StartsOneJob_ItsChunksCommittedOnce()
    {
        var jobId = NewJobId();

        var first = await RunAsync(jobId);
        var chunkCalls = _server.ProcessChunkRequests;
        var second = await RunAsync(jobId);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(chunkCalls, _server.ProcessChunkRequests); // the second run sent no chunk
        var (one, two) = (JsonDocument.Parse(first.Out).RootElement, JsonDocument.Parse(second.Out).RootElement);
        Assert.Equal(one.GetProperty("createdAt").GetString(), two.GetProperty("createdAt").GetString());
        Assert.Equal(one.GetProperty("result").ToString(), two.GetProperty("result").ToString());
        var blobs = new JobBlobs(storage.ConnectionString, _container);
        var chunks = await blobs.ListAsync($"jobs/{jobId}/chunks/");
        Assert.Equal(3, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(c.Properties.CreatedOn, c.Properties.LastModified)); // each committed once
        Assert.Single(await blobs.ListAsync($"jobs/{jobId}/manifest.json"));
        var listed = await ListedJobsAsync();
        Assert.Single(listed, id => id == jobId);
    }

    [Fact]
    public async Task TheKey_IsNeverPrinted_NotWhenTheAppRefusesIt_NorWhenItIsMistyped()
    {
        const string wrong = "fk-wrong-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
        var byFlag = await RunAsync(NewJobId(), key: wrong);
        var byVariable = await new CliRunner(new Dictionary<string, string?> { ["FANOUT_KEY"] = wrong }).RunAsync(
            "status", NewJobId(), "--url", _server.BaseUrl.AbsoluteUri);
        var mistyped = await _cli.RunAsync("run", "--url", _server.BaseUrl.AbsoluteUri, "--kye", wrong);
        var equals = await _cli.RunAsync("status", "x", "--url", "not a url", $"--key={wrong}");

        Assert.Equal([2, 2, 2, 2], new[] { byFlag.ExitCode, byVariable.ExitCode, mistyped.ExitCode, equals.ExitCode });
        Assert.Contains("Refused (401)", byFlag.Error, StringComparison.Ordinal);
        Assert.Contains("function key", byVariable.Error, StringComparison.Ordinal);
        Assert.Contains("--kye", mistyped.Error, StringComparison.Ordinal);
        Assert.All([byFlag, byVariable, mistyped, equals], run =>
        {
            Assert.DoesNotContain(wrong, run.All, StringComparison.Ordinal);
            Assert.DoesNotContain(Key, run.All, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task StatusAndCancel_OfAFinishedJob_Status0_Cancel2WithTheConflict_UnknownJob2()
    {
        var jobId = NewJobId();
        Assert.Equal(0, (await RunAsync(jobId)).ExitCode);

        var status = await _cli.RunAsync("status", jobId, "--url", _server.BaseUrl.AbsoluteUri);
        var cancel = await _cli.RunAsync("cancel", jobId, "--url", _server.BaseUrl.AbsoluteUri);
        var unknown = await _cli.RunAsync("status", NewJobId(), "--url", _server.BaseUrl.AbsoluteUri);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal("Succeeded", JsonDocument.Parse(status.Out).RootElement.GetProperty("status").GetString());
        Assert.True(cancel.ExitCode == 2, cancel.ToString());
        Assert.Contains("Refused (409)", cancel.Error, StringComparison.Ordinal);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("Refused (404)", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_OfAFinishedJob_Exits2WithTheConflict_AboveTheAppsMaximum2_UnknownJob2()
    {
        var jobId = NewJobId();
        Assert.Equal(0, (await RunAsync(jobId)).ExitCode);

        var ended = await _cli.RunAsync("update", jobId, "--max-concurrency", "4", "--url", _server.BaseUrl.AbsoluteUri);
        var tooMany = await _cli.RunAsync("update", jobId, "--max-concurrency", "33", "--url", _server.BaseUrl.AbsoluteUri);
        var unknown = await _cli.RunAsync("update", NewJobId(), "--max-concurrency", "4", "--url", _server.BaseUrl.AbsoluteUri);

        Assert.True(ended.ExitCode == 2, ended.ToString());
        Assert.Contains("Refused (409)", ended.Error, StringComparison.Ordinal);
        Assert.Contains("has ended Succeeded", ended.Error, StringComparison.Ordinal);
        Assert.True(tooMany.ExitCode == 2, tooMany.ToString());
        Assert.Contains("  maxConcurrency: ", tooMany.Error, StringComparison.Ordinal); // FanOut__Dispatch__MaxConcurrency: 32
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("Refused (404)", unknown.Error, StringComparison.Ordinal);
        Assert.Empty(await new JobBlobs(storage.ConnectionString, _container).ListAsync($"jobs/{jobId}/concurrency.json"));
        Assert.DoesNotContain(Key, ended.All + tooMany.All + unknown.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_WithAConnectionString_PutsTheFileInTheInputContainer_ThenRunCountsItFromThere()
    {
        var file = Path.Combine(_folder, "words.txt");
        await File.WriteAllTextAsync(file, string.Join('\n', Lines) + "\n");
        var name = $"cli/{Guid.NewGuid():N}/words.txt";
        var uploader = new CliRunner(new Dictionary<string, string?> { ["FANOUT_STORAGE_CONNECTION_STRING"] = storage.ConnectionString });
        string[] upload = ["upload", file, "--container", "inputs", "--name", name, "--create-container"];
        var first = await uploader.RunAsync(upload);
        var jobId = NewJobId();

        var run = await _cli.RunAsync(
            "run", "--url", _server.BaseUrl.AbsoluteUri, "--job-id", jobId, "--processor", "wordcount",
            "--source", $"inputs/{name}", "--format", "lines", "--chunk-size", "1");
        var again = await uploader.RunAsync(upload);

        Assert.True(first.ExitCode == 0, first.ToString());
        var blob = JsonDocument.Parse(first.Out).RootElement;
        Assert.Equal("inputs", blob.GetProperty("container").GetString());
        Assert.Equal(name, blob.GetProperty("blob").GetString());
        Assert.True(run.ExitCode == 0, run.ToString());
        var job = JsonDocument.Parse(run.Out).RootElement;
        Assert.Equal(3, job.GetProperty("items").GetProperty("processed").GetInt64());
        Assert.Equal(8, job.GetProperty("result").GetProperty("total").GetInt64());
        // The same file again leaves the blob's version as it was, so a re-run pipeline's job is the same job.
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(blob.GetProperty("eTag").GetString(), JsonDocument.Parse(again.Out).RootElement.GetProperty("eTag").GetString());
        Assert.Contains("left as it is", again.Error, StringComparison.Ordinal);
        var accountKey = storage.ConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        Assert.All([first, again], u => Assert.DoesNotContain(accountKey, u.All, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_ChangedContent_ReplacesTheBlob_AndAMissingContainerIsRefused()
    {
        var file = Path.Combine(_folder, "data.txt");
        var name = $"cli/{Guid.NewGuid():N}/data.txt";
        var uploader = new CliRunner(new Dictionary<string, string?> { ["FANOUT_STORAGE_CONNECTION_STRING"] = storage.ConnectionString });
        string[] upload = ["upload", file, "--container", "inputs", "--name", name, "--create-container"];
        await File.WriteAllTextAsync(file, "one\n");
        var first = await uploader.RunAsync(upload);
        await File.WriteAllTextAsync(file, "two\n");

        var second = await uploader.RunAsync(upload);
        var noContainer = await uploader.RunAsync("upload", file, "--container", $"none{Guid.NewGuid():N}"[..20]);

        Assert.NotEqual(JsonDocument.Parse(first.Out).RootElement.GetProperty("eTag").GetString(),
            JsonDocument.Parse(second.Out).RootElement.GetProperty("eTag").GetString());
        Assert.Equal("two\n", await new JobBlobs(storage.ConnectionString, "inputs").ReadAsync(name));
        Assert.True(noContainer.ExitCode == 2, noContainer.ToString());
        Assert.Contains("ContainerNotFound", noContainer.Error, StringComparison.Ordinal);
    }

    // fanout run over Lines (one chunk each) with wordcount, as a pipeline step would.
    private async Task<CliOutcome> RunAsync(string jobId, string chunkSize = "1", string options = """{"top":3}""", string? key = null)
    {
        var items = Path.Combine(_folder, "items.txt");
        await File.WriteAllTextAsync(items, string.Join('\n', Lines) + "\n", Encoding.UTF8);
        string[] args =
        [
            "run", "--url", _server.BaseUrl.AbsoluteUri, "--job-id", jobId, "--processor", "wordcount", "--items-file", items,
            "--chunk-size", chunkSize, "--options", options, "--poll-interval", "0.2s", "--timeout", "2m", .. key is null ? [] : new[] { "--key", key },
        ];
        return await _cli.RunAsync(args);
    }

    // Every job id on the app's list of jobs (GET /api/batch), following its pages.
    private async Task<List<string>> ListedJobsAsync()
    {
        var ids = new List<string>();
        string? token = null;
        for (var page = 0; page < 100; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, token is null ? "api/batch?top=100" : $"api/batch?top=100&continuationToken={Uri.EscapeDataString(token)}");
            request.Headers.Add("x-functions-key", Key);
            using var response = await _server.Client.SendAsync(request);
            var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            ids.AddRange(list.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()!));
            token = list.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
            if (token is null)
            {
                break;
            }
        }
        return ids;
    }
}
