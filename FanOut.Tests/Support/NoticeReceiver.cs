using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FanOut.Tests.Support;

/// <summary>A receiver of completion notices on 127.0.0.1 (port 0, read back). By default it answers the first <c>failFirst</c>
/// POSTs 503, then 200; given an <c>answer</c>, it answers each POST (numbered from 1) as that says: a redirect, silence, a
/// huge body. It keeps every POST it got, and counts those still open and those whose connection went away.</summary>
internal sealed class NoticeReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<HttpContext, int, Task<int>> _answer;
    private int _seen;
    private int _open;
    private int _aborted;

    private NoticeReceiver(WebApplication app, Func<HttpContext, int, Task<int>> answer)
    {
        (_app, _answer) = (app, answer);
        _app.MapPost("/notices", ReceiveAsync);
    }

    /// <summary>Where to send notices.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The allow-list entry of this receiver: <c>127.0.0.1:{port}</c>.</summary>
    public string AllowEntry => $"127.0.0.1:{Url.Port}";

    /// <summary>Every POST, in order: its signature header, its body, and what it was answered.</summary>
    public ConcurrentQueue<(string? Signature, string Body, int Answer)> Posts { get; } = new();

    /// <summary>Cancelled by <see cref="Release"/>: a receiver that holds its answers waits on it too, so that a test can end
    /// without waiting out the sender's timeouts.</summary>
    public CancellationToken Released => _released.Token;

    private readonly CancellationTokenSource _released = new();

    /// <summary>Lets every held answer go (with 200).</summary>
    public void Release() => _released.Cancel();

    /// <summary>POSTs received whose answer has not ended yet.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>POSTs whose sender went away before the answer ended (an attempt's timeout, a connection closed on a body).</summary>
    public int Aborted => Volatile.Read(ref _aborted);

    public static Task<NoticeReceiver> StartAsync(int failFirst) =>
        StartAsync((context, n) => Task.FromResult(n <= failFirst ? 503 : 200));

    /// <summary>A receiver that answers POST number n as <paramref name="answer"/> does (it may write the response itself) and
    /// records the status it returns.</summary>
    public static async Task<NoticeReceiver> StartAsync(Func<HttpContext, int, Task<int>> answer)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var receiver = new NoticeReceiver(builder.Build(), answer);
        await receiver._app.StartAsync();
        receiver.Url = new Uri(new Uri(receiver._app.Urls.Single()), "/notices");
        return receiver;
    }

    /// <summary>Polls (every 100 ms, at most <paramref name="within"/>) until <paramref name="condition"/> holds.</summary>
    public async Task<bool> WaitUntilAsync(Func<NoticeReceiver, bool> condition, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (!condition(this) && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }
        return condition(this);
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        Interlocked.Increment(ref _open);
        try
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var signature = context.Request.Headers["X-FanOut-Notice-Signature"].FirstOrDefault();
            var n = Interlocked.Increment(ref _seen);
            int answer;
            try
            {
                answer = await _answer(context, n);
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested)
            {
                answer = 0;
            }
            Posts.Enqueue((signature, body, answer));
            if (answer > 0 && !context.Response.HasStarted)
            {
                context.Response.StatusCode = answer;
            }
        }
        finally
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                Interlocked.Increment(ref _aborted);
            }
            Interlocked.Decrement(ref _open);
        }
    }
}
