using System.Text.Json;
using FanOut.LocalHost.Hosting;
using FanOut.LocalHost.Worker;
using Microsoft.AspNetCore.Http;

namespace FanOut.LocalHost.Cluster;

/// <summary><c>GET /admin/instances</c>: the cluster as JSON, <c>{ "instances": [ { "id", "pid", "state", "active",
/// "invocations", "startedAt" } ] }</c> (<c>active</c>: invocations running now; <c>invocations</c>: every one it ran).
/// Checked with the function key when one is set, as the functions are.</summary>
internal sealed class InstancesEndpoint(InstancePool pool, LocalHostSettings settings)
{
    /// <summary>Its path.</summary>
    public const string Path = "/admin/instances";

    private readonly FunctionKey _key = new(settings.FunctionKey);

    public async Task InvokeAsync(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = "GET";
            return;
        }
        if (!_key.Admits(http.Request, requiresKey: true))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var body = new
        {
            instances = pool.Instances.Select(i => new
            {
                id = i.Id,
                pid = i.Pid,
                state = i.State.ToString().ToLowerInvariant(),
                active = i.Active,
                invocations = i.Invocations,
                startedAt = i.StartedAt,
            }),
        };
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(JsonSerializer.Serialize(body), http.RequestAborted);
    }
}
