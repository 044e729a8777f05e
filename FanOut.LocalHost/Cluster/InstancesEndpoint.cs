using System.Text.Json;
using FanOut.LocalHost.Hosting;
using FanOut.LocalHost.Worker;
using Microsoft.AspNetCore.Http;

namespace FanOut.LocalHost.Cluster;

/// <summary><c>GET /admin/instances</c>: the cluster as JSON, <c>{ "instances": [ { "id", "pid", "state", "active",
/// "invocations", "startedAt" } ], "waiting" }</c> (<c>active</c>: invocations running now; <c>invocations</c>: every one it
/// ran; <c>waiting</c>: requests in the front's queue, waiting for a slot).
/// Checked with the function key when one is set, as the functions are.</summary>
internal sealed class InstancesEndpoint(InstancePool pool, SlotRouter router, LocalHostSettings settings)
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
            waiting = router.Waiting,
        };
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(JsonSerializer.Serialize(body), http.RequestAborted);
    }
}
