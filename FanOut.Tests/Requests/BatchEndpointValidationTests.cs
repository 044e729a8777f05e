using System.Text;
using System.Text.Json;
using FanOut.Core.Http;
using FanOut.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Requests;

/// <summary>Bad requests are answered with the right status and a problem naming the field. The self URL
/// points at a closed port, so a request that got as far as dispatching would fail its chunks instead.</summary>
public sealed class BatchEndpointValidationTests
{
    [Theory]
    [InlineData("""{ "action": "start_fanout" }""", "items")]
    [InlineData("""{ "action": "start_fanout", "items": {} }""", "items")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "chunkSize": 0 }""", "chunkSize")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "chunkSize": 100001 }""", "chunkSize")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "chunkSize": 2.5 }""", "chunkSize")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "chunkSize": "10" }""", "chunkSize")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "maxConcurrency": 0 }""", "maxConcurrency")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "maxConcurrency": 33 }""", "maxConcurrency")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "jobId": "../etc" }""", "jobId")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "jobId": "" }""", "jobId")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "processor": 5 }""", "processor")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "options": { "top": 3 } }""", "options.top")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "processor": "wordcount", "options": { "top": -3 } }""", "options.top")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "Items": [1] }""", "Items")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "items": 2 }""", "items")]
    [InlineData("""{ "action": "process_chunk", "items": [1], "items": [2, 3] }""", "items")]
    [InlineData("""{ "action": "process_chunk", "chunk": -1, "items": [] }""", "chunk")]
    [InlineData("""{ "action": "process_chunk", "items": "abc" }""", "items")]
    [InlineData("""{ "action": "process_chunk", "items": [], "extra": 1 }""", "extra")]
    [InlineData("""{ "action": "process_chunk", "depth": 1, "source": { "container": "elsewhere", "blob": "x.txt" } }""", "source.container")]
    [InlineData("""{ "action": "count_quotes", "depth": 1, "source": { "container": "elsewhere", "blob": "x.txt" } }""", "source.container")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "x.txt", "inQuotes": true } }""", "source")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "chunk_size": 10 }""", "chunk_size")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "jobId": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }""", "jobId")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "jobId": "a b" }""", "jobId")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "jobId": 7 }""", "jobId")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "waitSeconds": 201 }""", "waitSeconds")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "waitSeconds": -1 }""", "waitSeconds")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "toleratedFailurePercent": 101 }""", "toleratedFailurePercent")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "toleratedFailurePercent": "5" }""", "toleratedFailurePercent")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "toleratedFailureCount": -1 }""", "toleratedFailureCount")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "toleratedFailureCount": 1.5 }""", "toleratedFailureCount")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "dryRun": "yes" }""", "dryRun")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "source": { "container": "inputs", "blob": "x.txt" } }""", "items")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "../x.txt" } }""", "source.blob")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "a//x.txt" } }""", "source.blob")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "a\\x.txt" } }""", "source.blob")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "secrets", "blob": "x.txt" } }""", "source.container")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "x.txt", "format": "xml" } }""", "source.format")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "x.txt", "format": "items" } }""", "source.format")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "x.txt", "format": 3 } }""", "source.format")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "x.txt" }, "chunkBytes": 100 }""", "chunkBytes")]
    [InlineData("""{ "action": "resume" }""", "jobId")]
    [InlineData("""{ "action": "resume", "jobId": "ok", "waitSeconds": 999 }""", "waitSeconds")]
    [InlineData("""{ "action": 5 }""", "action")]
    // Issue 13: a trailing newline passed the job-id pattern ($ matches before a final "\n").
    [InlineData("""{ "action": "start_fanout", "items": [1], "jobId": "nl1\n" }""", "jobId")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "jobId": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" }""", "jobId")]
    [InlineData("""{ "action": "resume", "jobId": "nl1\n" }""", "jobId")]
    [InlineData("""{ "action": "process_chunk", "jobId": "nl1\n", "items": [1] }""", "jobId")]
    [InlineData("""{ "action": "dispatch", "jobId": "nl1\n", "runId": "r", "depth": 1 }""", "jobId")]
    [InlineData("""{ "action": "dispatch", "jobId": "nl1", "runId": "r\n", "depth": 1 }""", "runId")]
    // Issue 13: duplicate fields are refused, naming the field, instead of the last one silently winning.
    [InlineData("""{ "action": "start_fanout", "items": [1], "chunkSize": 1, "chunkSize": 2 }""", "chunkSize")]
    [InlineData("""{ "action": "start_fanout", "items": [1], "items": [2] }""", "items")]
    [InlineData("""{ "action": "start_fanout", "source": { "container": "inputs", "blob": "x.txt", "blob": "y.txt" } }""", "source.blob")]
    public async Task Post_InvalidField_Is400ProblemNamingIt(string json, string field)
    {
        var (status, problem) = await PostAsync(json);

        Assert.Equal(400, status);
        Assert.Equal("urn:fanout:problem:validation", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Contains(field, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task GetJob_IdWithATrailingNewline_Is400NamingJobId()
    {
        using var services = TestServices.Build(new Dictionary<string, string?>());
        var reply = await services.GetRequiredService<BatchEndpoint>().GetJobAsync("nl1\n");

        Assert.Equal(400, reply.StatusCode);
        Assert.True(JsonDocument.Parse(reply.Body).RootElement.GetProperty("errors").TryGetProperty("jobId", out _));
    }

    [Fact]
    public async Task Post_SixtyUnknownFields_ListsTwentyAndCountsTheRest()
    {
        var fields = string.Concat(Enumerable.Range(0, 60).Select(i => $", \"f{i}\": 1"));
        var (status, problem) = await PostAsync($$"""{ "action": "start_fanout", "items": [1]{{fields}} }""");

        Assert.Equal(400, status);
        Assert.Equal(20, problem.GetProperty("errors").EnumerateObject().Count());
        Assert.EndsWith("And 40 more error(s), not listed.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Post_MoreFieldsThanAnyActionKnows_IsRefusedAsItIsRead()
    {
        var fields = string.Concat(Enumerable.Range(0, 100).Select(i => $", \"f{i}\": 1"));
        var (status, problem) = await PostAsync($$"""{ "action": "start_fanout", "items": [1]{{fields}} }""");

        Assert.Equal(400, status);
        Assert.Contains("at most 64 fields", problem.GetProperty("errors").GetProperty("$")[0].GetString());
    }

    [Fact]
    public async Task Post_FieldNamesOfControlCharacters_ProblemStaysSmall()
    {
        // 20 listed fields whose names are 10,000 control characters each: JSON writes each as \u00XX, six bytes.
        var name = string.Concat(Enumerable.Repeat(@"\u0001", 10_000));
        var fields = string.Concat(Enumerable.Range(0, 30).Select(i => $", \"{i}{name}\": \"{name}\""));
        var (status, problem) = await PostAsync($$"""{ "action": "start_fanout", "items": [1]{{fields}} }""");

        Assert.Equal(400, status);
        Assert.InRange(Encoding.UTF8.GetByteCount(problem.GetRawText()), 1, 32 * 1024);
    }

    [Fact]
    public async Task Post_UnknownProcessor_NamesTheRegisteredOnes()
    {
        var (status, problem) = await PostAsync("""{ "action": "start_fanout", "items": [1], "processor": "sum" }""");

        Assert.Equal(400, status);
        var message = problem.GetProperty("errors").GetProperty("processor")[0].GetString();
        Assert.Equal("Unknown processor 'sum'. Registered: count, project, wordcount.", message);
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Is413()
    {
        var items = string.Join(',', Enumerable.Repeat("\"xxxxxxxxxx\"", 200));
        var (status, problem) = await PostAsync($$"""{ "action": "start_fanout", "items": [{{items}}] }""",
            new Dictionary<string, string?> { ["FanOut:Limits:MaxRequestBytes"] = "2048" });

        Assert.Equal(413, status);
        Assert.Equal("urn:fanout:problem:too-large", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_TooManyInlineItems_Is400()
    {
        var (status, problem) = await PostAsync("""{ "action": "start_fanout", "items": [1, 2, 3, 4] }""",
            new Dictionary<string, string?> { ["FanOut:Limits:MaxInlineItems"] = "3" });

        Assert.Equal(400, status);
        Assert.Contains("At most 3", problem.GetProperty("errors").GetProperty("items")[0].GetString());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-1)]
    public async Task Post_ProcessChunkBeyondMaxDepth_Is508(int depth)
    {
        var (status, problem) = await PostAsync($$"""{ "action": "process_chunk", "depth": {{depth}}, "items": [1] }""");

        Assert.Equal(508, status);
        Assert.Equal("urn:fanout:problem:loop-detected", problem.GetProperty("type").GetString());
    }

    private static async Task<(int Status, JsonElement Problem)> PostAsync(string json, Dictionary<string, string?>? settings = null)
    {
        var merged = new Dictionary<string, string?> { ["FanOut:Storage:InputContainers"] = "inputs" };
        foreach (var (key, value) in settings ?? [])
        {
            merged[key] = value;
        }
        using var services = TestServices.Build(merged);
        using var scope = services.CreateScope();
        var reply = await scope.ServiceProvider.GetRequiredService<BatchEndpoint>().PostAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), TestKeys.Sign(json));
        Assert.StartsWith("application/problem+json", reply.ContentType);
        return (reply.StatusCode, JsonDocument.Parse(reply.Body).RootElement.Clone());
    }
}
