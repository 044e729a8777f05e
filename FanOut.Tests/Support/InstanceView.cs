using System.Text.Json;

namespace FanOut.Tests.Support;

/// <summary>One instance as <c>GET /admin/instances</c> shows it.</summary>
internal sealed record InstanceView(int Id, int Pid, string State, int Active, long Invocations, DateTimeOffset StartedAt)
{
    /// <summary>Reads <c>GET /admin/instances</c> of the host behind <paramref name="client"/> (throws unless 200).</summary>
    public static async Task<IReadOnlyList<InstanceView>> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync("admin/instances");
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. body.RootElement.GetProperty("instances").EnumerateArray().Select(i => new InstanceView(
            i.GetProperty("id").GetInt32(), i.GetProperty("pid").GetInt32(), i.GetProperty("state").GetString()!,
            i.GetProperty("active").GetInt32(), i.GetProperty("invocations").GetInt64(), i.GetProperty("startedAt").GetDateTimeOffset()))];
    }
}
