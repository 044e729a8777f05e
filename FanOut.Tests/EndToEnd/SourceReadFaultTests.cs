using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>A source blob whose body fails mid-read (the connection reset, or the SDK's network timeout), faults
/// injected below the storage client's own retries: the chunk is answered 503 with Retry-After, never 500, and the
/// job finishes once storage reads again.</summary>
[Collection(StorageCollection.Name)]
public sealed class SourceReadFaultTests(AzuriteFixture storage)
{
    private const string Inputs = "inputs";
    private readonly JobBlobs _blobs = new(storage.ConnectionString);

    [Theory]
    [InlineData(BodyFault.Cut)]
    [InlineData(BodyFault.Stall)]
    public async Task ProcessChunk_SourceBodyFailsMidRead_Is503WithRetryAfter(BodyFault fault)
    {
        var (blob, _) = await UploadAsync();
        var transport = new BodyFaultTransport($"/{Inputs}/") { Fault = fault };
        await using var server = await StartAsync(transport);
        var eTag = (await new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(Inputs).GetBlobClient(blob).GetPropertiesAsync()).Value.ETag;
        var body = JsonSerializer.Serialize(new
        {
            action = "process_chunk", chunk = 0, depth = 1, processor = "count",
            source = new { container = Inputs, blob, format = "lines", eTag = eTag.ToString(), start = 0, end = 65536 },
        });

        using var response = await server.PostInternalAsync(body);

        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("urn:fanout:problem:unavailable", problem.GetProperty("type").GetString());
        Assert.Contains("reading the source", problem.GetProperty("detail").GetString());
        Assert.True(transport.Faulted > 0);
    }

    [Fact]
    public async Task Job_SourceBodiesFailForAWhile_ChunksAre503NotFailed_AndTheJobFinishesOnceReadsWork()
    {
        var (blob, lines) = await UploadAsync();
        var transport = new BodyFaultTransport($"/{Inputs}/") { Fault = BodyFault.Cut };
        await using var server = await StartAsync(transport);
        var jobId = NewJobId();

        var started = await PostAsync(server, new JsonObject
        {
            ["action"] = "start_fanout", ["jobId"] = jobId, ["processor"] = "count", ["chunkBytes"] = 65536, ["waitSeconds"] = 0,
            ["source"] = new JsonObject { ["container"] = Inputs, ["blob"] = blob, ["format"] = "lines" },
        });
        for (var poll = 0; poll < 400 && server.ProcessChunkAnswers.GetValueOrDefault(503) < 3; poll++)
        {
            await Task.Delay(25);
        }
        Assert.True(server.ProcessChunkAnswers.GetValueOrDefault(503) >= 3, "chunks must meet the fault");
        transport.Fault = BodyFault.None;
        var job = await WaitForEndAsync(server, jobId);

        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());
        Assert.Empty(job.GetProperty("failures").EnumerateArray());
        Assert.Equal(lines.Count, job.GetProperty("result").GetProperty("records").GetInt64());
        Assert.Equal(lines.Sum(l => (long)Encoding.UTF8.GetByteCount(l)), job.GetProperty("result").GetProperty("bytes").GetInt64());
        Assert.DoesNotContain(500, server.ProcessChunkAnswers.Keys);
    }

    // The app in process, so that its storage client can be given the faulty transport (with a short network timeout).
    private Task<LocalHostServer> StartAsync(BodyFaultTransport transport) =>
        LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:Storage:InputContainers"] = Inputs }), inProcess: true,
            fanOut: (fanOut, _) => fanOut.Services.Replace(ServiceDescriptor.Singleton(_ =>
            {
                var options = new BlobClientOptions { Transport = transport };
                options.Retry.MaxRetries = 1;
                options.Retry.Delay = TimeSpan.FromMilliseconds(50);
                options.Retry.NetworkTimeout = TimeSpan.FromSeconds(1);
                return new BlobServiceClient(storage.ConnectionString, options);
            })));

    private async Task<(string Blob, List<string> Lines)> UploadAsync()
    {
        var lines = Enumerable.Range(0, 12_000).Select(i => $"line {i} of a source that fails while it is read").ToList();
        var blob = $"faulty-{Guid.NewGuid():N}.txt";
        await _blobs.UploadAsync(Inputs, blob, Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        return (blob, lines);
    }

    private static async Task<JsonElement> WaitForEndAsync(LocalHostServer server, string jobId)
    {
        for (var poll = 0; poll < 1200; poll++)
        {
            using var response = await server.Client.GetAsync($"api/batch/{jobId}");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (body.TryGetProperty("status", out var status) && status.GetString() is "Succeeded" or "Failed" or "Incomplete")
            {
                return body;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"job {jobId} did not finish");
    }
}
