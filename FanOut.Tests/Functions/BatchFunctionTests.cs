using System.Net;
using System.Text;
using System.Text.Json;
using FanOut.Core.Http;
using FanOut.Functions;
using FanOut.Core.Security;
using FanOut.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace FanOut.Tests.Functions;

public sealed class BatchFunctionTests
{
    [Fact]
    public async Task Batch_ActionAbsent_ProcessesTheBodyAsOneChunk()
    {
        var response = await InvokeAsync("""{ "items": ["a b", "c", 7] }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(response.Body.ToArray());
        Assert.Equal(3, body.RootElement.GetProperty("items").GetInt64());
        Assert.Equal(3, body.RootElement.GetProperty("result").GetProperty("records").GetInt64());
        Assert.Equal(5, body.RootElement.GetProperty("result").GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Batch_InternalCallWithoutSignature_Is401_WithTheAppsSignature_GetsIn()
    {
        const string body = """{ "action": "process_chunk", "jobId": "job-1", "chunk": 0, "depth": 2, "items": [1] }""";

        var unsigned = await InvokeAsync(body);
        var signed = await InvokeAsync(body, (f, r, c) => f.Batch(r, c), TestKeys.Sign(body));

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.StartsWith("application/problem+json", ContentType(unsigned));
        // Past the signature, the commit meets the tests' closed storage port: 503, so the header was read.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, signed.StatusCode);
    }

    [Fact]
    public async Task Batch_ProcessChunkWithWordcount_AnswersTheChunksCounts()
    {
        var response = await InvokeAsync(
            """{ "action": "process_chunk", "chunk": 4, "processor": "wordcount", "items": ["to be or", "not to be"] }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(response.Body.ToArray());
        Assert.Equal(4, body.RootElement.GetProperty("chunk").GetInt32());
        var words = body.RootElement.GetProperty("result").GetProperty("words");
        Assert.Equal(2, words.GetProperty("to").GetInt64());
        Assert.Equal(1, words.GetProperty("or").GetInt64());
    }

    [Theory]
    [InlineData("""{ "action": "explode" }""", "explode")]
    [InlineData("""{ "action": 42 }""", "must be a string")]
    public async Task Batch_UnknownAction_Is400ProblemNamingTheValidActions(string json, string mentioned)
    {
        var response = await InvokeAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", ContentType(response));
        using var body = JsonDocument.Parse(response.Body.ToArray());
        var detail = body.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("start_fanout", detail);
        Assert.Contains("process_chunk", detail);
        Assert.Contains(mentioned, detail);
        Assert.Equal(400, body.RootElement.GetProperty("status").GetInt32());
        Assert.True(body.RootElement.GetProperty("errors").TryGetProperty("action", out _));
    }

    [Theory]
    [InlineData("{ \"action\": ")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"start_fanout\"")]
    public async Task Batch_MalformedJson_Is400ProblemNever500(string json)
    {
        var response = await InvokeAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", ContentType(response));
        using var body = JsonDocument.Parse(response.Body.ToArray());
        Assert.Equal("urn:fanout:problem:malformed-json", body.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Batch_StartFanoutWithMisspeltField_Is400WithAHint()
    {
        var response = await InvokeAsync("""{ "action": "start_fanout", "items": [1], "chunk_size": 10 }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(response.Body.ToArray());
        var message = body.RootElement.GetProperty("errors").GetProperty("chunk_size")[0].GetString();
        Assert.Equal("Unknown field; did you mean chunkSize?", message);
    }

    [Fact]
    public async Task BatchStatus_InvalidJobId_Is400ProblemWithoutTouchingStorage()
    {
        var response = await InvokeAsync("", (function, request, context) => function.BatchStatus(request, "../../etc", context));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("application/problem+json", ContentType(response));
        using var body = JsonDocument.Parse(response.Body.ToArray());
        Assert.True(body.RootElement.GetProperty("errors").TryGetProperty("jobId", out _));
    }

    private static async Task<MemoryStream> ReadAsync(HttpResponseData response)
    {
        var copy = new MemoryStream();
        response.Body.Position = 0;
        await response.Body.CopyToAsync(copy);
        return copy;
    }

    private static string ContentType(FakeResponse response) =>
        response.Headers.TryGetValues("Content-Type", out var values) ? values.First() : "";

    private static Task<FakeResponse> InvokeAsync(string json) =>
        InvokeAsync(json, (function, request, context) => function.Batch(request, context));

    private static async Task<FakeResponse> InvokeAsync(
        string json, Func<BatchFunction, HttpRequestData, FunctionContext, Task<HttpResponseData>> invoke, string? signature = null)
    {
        using var services = TestServices.Build();
        using var scope = services.CreateScope();
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.InstanceServices).Returns(scope.ServiceProvider);
        context.SetupGet(c => c.CancellationToken).Returns(CancellationToken.None);

        var request = new Mock<HttpRequestData>(context.Object);
        request.SetupGet(r => r.Body).Returns(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        request.SetupGet(r => r.Method).Returns("POST");
        var headers = new HttpHeadersCollection();
        if (signature is not null)
        {
            headers.Add(InternalCallSigner.Header, signature);
        }
        request.SetupGet(r => r.Headers).Returns(headers);
        HttpResponseData? created = null;
        request.Setup(r => r.CreateResponse()).Returns(() => created = NewResponse(context.Object));

        var function = ActivatorUtilities.CreateInstance<BatchFunction>(scope.ServiceProvider);
        var returned = await invoke(function, request.Object, context.Object);

        Assert.Same(created, returned);
        return new FakeResponse(returned.StatusCode, returned.Headers, await ReadAsync(returned));
    }

    private static HttpResponseData NewResponse(FunctionContext context)
    {
        var response = new Mock<HttpResponseData>(context);
        response.SetupProperty(r => r.StatusCode);
        response.SetupProperty(r => r.Headers, new HttpHeadersCollection());
        response.SetupProperty(r => r.Body, new MemoryStream());
        return response.Object;
    }

    private sealed record FakeResponse(HttpStatusCode StatusCode, HttpHeadersCollection Headers, MemoryStream Body);
}
