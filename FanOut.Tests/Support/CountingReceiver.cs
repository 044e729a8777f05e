using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FanOut.Tests.Support;

/// <summary>An HTTP server on 127.0.0.1 (port 0, read back) that counts every request it gets, whatever its method,
/// path or headers, and answers each with one canned status and JSON body: proof that a client sent nothing, or a
/// scripted app for a client to read.</summary>
internal sealed class CountingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private CountingReceiver(WebApplication app, int status, string body)
    {
        _app = app;
        _app.Run(async context =>
        {
            Interlocked.Increment(ref _requests);
            using (var reader = new StreamReader(context.Request.Body))
            {
                LastBody = await reader.ReadToEndAsync();
            }
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The body of the last request received (empty for a GET).</summary>
    public string? LastBody { get; private set; }

    /// <summary>Requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<CountingReceiver> StartAsync(int status = 404, string body = """{"status":404,"title":"Not Found"}""")
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var receiver = new CountingReceiver(builder.Build(), status, body);
        await receiver._app.StartAsync();
        receiver.Url = new Uri(receiver._app.Urls.Single() + "/");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
