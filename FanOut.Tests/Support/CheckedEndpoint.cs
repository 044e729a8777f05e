using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Support;

/// <summary>The app's endpoint in process, on Azurite, with every storage write counted and its calls to itself sent to a
/// stub that answers 503 at once (counted, never served), to check what any body may do: never a 500, a refusal is
/// problem+json with its status, and a 4xx writes nothing and sends nothing.</summary>
internal sealed class CheckedEndpoint : IDisposable
{
    private readonly ServiceProvider _services;
    private int _sends;

    private CheckedEndpoint(AzuriteFixture storage)
    {
        _services = TestServices.Build(storage.Settings(new()
        {
            ["FanOut:Storage:InputContainers"] = "inputs",
            ["FanOut:Dispatch:MaxAttempts"] = "1",
        }), s =>
        {
            var options = new BlobClientOptions();
            options.AddPolicy(Writes, Azure.Core.HttpPipelinePosition.PerCall);
            s.AddSingleton(new BlobServiceClient(storage.ConnectionString, options));
            s.AddHttpClient<SelfClient>().ConfigurePrimaryHttpMessageHandler(() => new StubHandler((_, request, _) =>
            {
                Interlocked.Increment(ref _sends);
                Called.AddOrUpdate(request.RequestUri!.GetLeftPart(UriPartial.Path), 1, (_, n) => n + 1);
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
            }));
        });
        Endpoint = _services.GetRequiredService<BatchEndpoint>();
    }

    /// <summary>The endpoint.</summary>
    public BatchEndpoint Endpoint { get; }

    /// <summary>Every write to storage.</summary>
    public StorageWrites Writes { get; } = new();

    /// <summary>The URLs the app called itself at, and how often.</summary>
    public ConcurrentDictionary<string, int> Called { get; } = new();

    public static CheckedEndpoint Start(AzuriteFixture storage) => new(storage);

    /// <summary>POSTs <paramref name="body"/> and checks the promises every body gets; <paramref name="what"/> names it in a failure.</summary>
    public async Task<BatchReply> PostAndCheckAsync(byte[] body, string? signature, Func<BatchReply, string> what)
    {
        var (writesBefore, sendsBefore) = (Writes.Count, Volatile.Read(ref _sends));
        var reply = await Endpoint.PostAsync(new MemoryStream(body), signature);

        Assert.True(reply.StatusCode != 500, what(reply));
        if (reply.StatusCode >= 400)
        {
            Assert.StartsWith("application/problem+json", reply.ContentType);
            var problem = JsonDocument.Parse(reply.Body).RootElement;
            Assert.Equal(reply.StatusCode, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()), what(reply));
        }
        if (reply.StatusCode is >= 400 and < 500)
        {
            Assert.True(writesBefore == Writes.Count, "written: " + what(reply));
            Assert.True(sendsBefore == Volatile.Read(ref _sends), "sent: " + what(reply));
        }
        return reply;
    }

    public void Dispose() => _services.Dispose();
}
