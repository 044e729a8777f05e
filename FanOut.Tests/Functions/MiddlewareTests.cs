using System.Net;
using System.Text.Json;
using FanOut.Core.Readiness;
using FanOut.Functions;
using FanOut.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Moq;

namespace FanOut.Tests.Functions;

/// <summary>The worker middleware that FanOut.Functions' Program.cs registers, with a Moq'd FunctionContext (the
/// worker keeps an invocation's request and answer in binding features internal to it: a FunctionHttp of the test's
/// own stands for them).</summary>
public sealed class MiddlewareTests
{
    private const string InvocationId = "6c1f3a8e-0000-4000-8000-00000000c0de";

    [Fact]
    public async Task UnhandledExceptionProblem_FunctionThrows_Answers500ProblemWithTheInvocationIdAndLogsIt()
    {
        var logs = new ListLoggerProvider();
        var (context, http) = Invocation();
        var sut = new UnhandledExceptionProblem(new LoggerFactory([logs]).CreateLogger<UnhandledExceptionProblem>(), http.Object);

        await sut.Invoke(context.Object, _ => throw new NullReferenceException("the grid read a manifest that was gone"));

        var answer = Assert.Single(Answers(http));
        Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
        Assert.StartsWith("application/problem+json", answer.Headers.GetValues("Content-Type").Single());
        Assert.Equal(InvocationId, answer.Headers.GetValues(InvocationIdHeader.Name).Single());
        using var body = JsonDocument.Parse(Body(answer));
        Assert.Equal("urn:fanout:problem:internal-error", body.RootElement.GetProperty("type").GetString());
        Assert.Equal(500, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(InvocationId, body.RootElement.GetProperty("invocationId").GetString());
        Assert.DoesNotContain("manifest", body.RootElement.GetProperty("detail").GetString());   // the cause is for the log only
        var logged = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(InvocationId, logged.Message);
    }

    [Fact]
    public async Task UnhandledExceptionProblem_InvocationCancelledByItsHost_Answers503Cancelled_AndLogsNoError()
    {
        // A status read at 900,000 chunks: its caller went away while the read waited on a slow store.
        var logs = new ListLoggerProvider();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var (context, http) = Invocation(cancellation: cancelled.Token);
        var sut = new UnhandledExceptionProblem(new LoggerFactory([logs]).CreateLogger<UnhandledExceptionProblem>(), http.Object);

        await sut.Invoke(context.Object, _ => throw new TaskCanceledException("The operation was canceled."));

        var answer = Assert.Single(Answers(http));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        using var body = JsonDocument.Parse(Body(answer));
        Assert.Equal("urn:fanout:problem:cancelled", body.RootElement.GetProperty("type").GetString());
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task UnhandledExceptionProblem_ACancellationTheHostDidNotAskFor_IsA500()
    {
        var (context, http) = Invocation();
        var sut = new UnhandledExceptionProblem(new LoggerFactory().CreateLogger<UnhandledExceptionProblem>(), http.Object);

        await sut.Invoke(context.Object, _ => throw new TaskCanceledException("a timeout of the app's own"));

        Assert.Equal(HttpStatusCode.InternalServerError, Assert.Single(Answers(http)).StatusCode);
    }

    [Fact]
    public async Task UnhandledExceptionProblem_NoException_LeavesTheFunctionsAnswer()
    {
        var (context, http) = Invocation();
        var sut = new UnhandledExceptionProblem(new LoggerFactory().CreateLogger<UnhandledExceptionProblem>(), http.Object);

        await sut.Invoke(context.Object, _ => Task.CompletedTask);

        Assert.Empty(Answers(http));
    }

    [Fact]
    public async Task UnhandledExceptionProblem_NotAnHttpInvocation_FailsAsBefore()
    {
        var (context, http) = Invocation(httpRequest: false);
        var sut = new UnhandledExceptionProblem(new LoggerFactory().CreateLogger<UnhandledExceptionProblem>(), http.Object);

        await Assert.ThrowsAsync<InvalidOperationException>(() => sut.Invoke(context.Object, _ => throw new InvalidOperationException("timer")));
        Assert.Empty(Answers(http));
    }

    [Fact]
    public async Task ReadinessGate_StorageRefusesTheKey_Answers503NamingTheSetting_AndRunsNoFunction()
    {
        var (context, http) = Invocation();
        var settings = Settings(new() { ["AzureWebJobsStorage"] = "AccountName=a;AccountKey=not base64!" });
        var sut = new ReadinessGate(SecretReadiness.Create(settings, new LoggerFactory()), StorageReadiness.Create(settings, new LoggerFactory()), http.Object);
        var ran = false;

        await sut.Invoke(context.Object, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.False(ran);
        var answer = Assert.Single(Answers(http));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        using var body = JsonDocument.Parse(Body(answer));
        Assert.Equal("urn:fanout:problem:storage-misconfigured", body.RootElement.GetProperty("type").GetString());
        Assert.StartsWith("AzureWebJobsStorage: ", body.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("not base64", body.RootElement.ToString());
    }

    [Fact]
    public async Task ReadinessGate_SigningKeyIsAnUnresolvedKeyVaultReference_Answers503NamingTheSettingAndTheRole_AndRunsNoFunction()
    {
        var (context, http) = Invocation();
        var settings = Settings(new() { ["FanOut:SigningKey"] = UnresolvedReference, ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
        var sut = new ReadinessGate(SecretReadiness.Create(settings, new LoggerFactory()), StorageReadiness.Create(settings, new LoggerFactory()), http.Object);
        var ran = false;

        await sut.Invoke(context.Object, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.False(ran);
        var answer = Assert.Single(Answers(http));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.StartsWith("application/problem+json", answer.Headers.GetValues("Content-Type").Single());
        Assert.Equal("60", answer.Headers.GetValues("Retry-After").Single());
        using var body = JsonDocument.Parse(Body(answer));
        Assert.Equal("urn:fanout:problem:secret-unresolved", body.RootElement.GetProperty("type").GetString());
        Assert.StartsWith("FanOut__SigningKey is an unresolved Key Vault reference", body.RootElement.GetProperty("detail").GetString());
        Assert.Contains("Key Vault Secrets User", body.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("example.vault.azure.net", body.RootElement.ToString());   // the reference's text is not echoed
    }

    [Fact]
    public async Task ReadinessGate_UnresolvedSecret_RunsNoTimerFunction_AndLogsWhy()
    {
        var logs = new ListLoggerProvider();
        var (context, http) = Invocation(httpRequest: false);
        var settings = Settings(new() { ["FanOut:FunctionKey"] = UnresolvedReference, ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
        var sut = new ReadinessGate(SecretReadiness.Create(settings, new LoggerFactory([logs])), StorageReadiness.Create(settings, new LoggerFactory()), http.Object);
        var ran = false;

        await sut.Invoke(context.Object, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.False(ran);
        Assert.Empty(Answers(http));
        var logged = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("FanOut__FunctionKey", logged.Message);
        Assert.Contains("Key Vault Secrets User", logged.Message);
    }

    private const string UnresolvedReference = "@Microsoft.KeyVault(SecretUri=https://example.vault.azure.net/secrets/fanout-signing-key/)";

    private static IConfiguration Settings(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static (Mock<FunctionContext> Context, Mock<FunctionHttp> Http) Invocation(bool httpRequest = true, CancellationToken cancellation = default)
    {
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.InvocationId).Returns(InvocationId);
        context.SetupGet(c => c.CancellationToken).Returns(cancellation);
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.Name).Returns("Batch");
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);

        var request = new Mock<HttpRequestData>(context.Object);
        request.SetupGet(r => r.Headers).Returns(new HttpHeadersCollection());
        request.Setup(r => r.CreateResponse()).Returns(() => NewResponse(context.Object));
        var http = new Mock<FunctionHttp>();
        http.Setup(h => h.RequestAsync(context.Object)).Returns(new ValueTask<HttpRequestData?>(httpRequest ? request.Object : null));
        return (context, http);
    }

    private static IEnumerable<HttpResponseData> Answers(Mock<FunctionHttp> http) =>
        http.Invocations.Where(i => i.Method.Name == nameof(FunctionHttp.Answer)).Select(i => (HttpResponseData)i.Arguments[1]);

    private static string Body(HttpResponseData response) => System.Text.Encoding.UTF8.GetString(((MemoryStream)response.Body).ToArray());

    private static HttpResponseData NewResponse(FunctionContext context)
    {
        var response = new Mock<HttpResponseData>(context);
        response.SetupProperty(r => r.StatusCode);
        response.SetupProperty(r => r.Headers, new HttpHeadersCollection());
        response.SetupProperty(r => r.Body, new MemoryStream());
        return response.Object;
    }
}
