using System.Text.Json;

namespace FanOut.Demo;

/// <summary>The instances behind LocalHost, as its <c>GET /admin/instances</c> lists them.</summary>
internal sealed record DemoInstances(int Id, int Pid, long Invocations)
{
    public static async Task<IReadOnlyList<DemoInstances>> ReadAsync(HttpClient http)
    {
        using var answer = await http.GetAsync("admin/instances");
        answer.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        return [.. body.RootElement.GetProperty("instances").EnumerateArray()
            .Select(i => new DemoInstances(i.GetProperty("id").GetInt32(), i.GetProperty("pid").GetInt32(), i.GetProperty("invocations").GetInt64()))];
    }
}
