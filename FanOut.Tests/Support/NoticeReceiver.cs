using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FanOut.Tests.Support;

/// <summary>A receiver of completion notices on 127.0.0.1 (port 0, read back): it answers the first
/// <c>failFirst</c> POSTs 503, then 200, and keeps every POST it got.</summary>
internal sealed class NoticeReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int _failFirst;
    private int _seen;

    private NoticeReceiver(WebApplication app, int failFirst)
    {
        (_app, _failFirst) = (app, failFirst);
        _app.MapPost("/notices", ReceiveAsync);
    }

    /// <summary>Where to send notices.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Every POST, in order: its signature header, its body, and what it was answered.</summary>
    public ConcurrentQueue<(string? Signature, string Body, int Answer)> Posts { get; } = new();

    public static async Task<NoticeReceiver> StartAsync(int failFirst)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var receiver = new NoticeReceiver(builder.Build(), failFirst);
        await receiver._app.StartAsync();
        receiver.Url = new Uri(new Uri(receiver._app.Urls.Single()), "/notices");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var answer = Interlocked.Increment(ref _seen) <= _failFirst ? 503 : 200;
        Posts.Enqueue((context.Request.Headers["X-FanOut-Notice-Signature"].FirstOrDefault(), body, answer));
        context.Response.StatusCode = answer;
    }
}
