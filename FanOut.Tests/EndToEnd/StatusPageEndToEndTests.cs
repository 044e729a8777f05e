using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>The status page (GET /api/batch/{jobId} with Accept: text/html) through LocalHost, the real worker and Azurite,
/// loaded in headless Chromium.</summary>
[Collection(StorageCollection.Name)]
public sealed partial class StatusPageEndToEndTests(AzuriteFixture storage)
{
    [Fact]
    public async Task PageOfAFinishedJob_ShowsItsCounts_AndAGridOfEveryChunk()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var jobId = NewJobId();
        var job = await PostAsync(server, StartBody(jobId, Words(30), chunkSize: 3));

        var dom = await HeadlessChromium.DumpDomAsync(new Uri(server.BaseUrl, $"api/batch/{jobId}"));

        Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
        Assert.Equal("Succeeded", Text(dom, "status"));
        Assert.Equal(["10", "10", "0", "0"], new[] { "total", "succeeded", "failed", "pending" }.Select(id => Text(dom, id)));
        Assert.Equal(10, CellCount(dom, "data-s=\"1\""));
        Assert.DoesNotContain("http-equiv=\"refresh\"", dom, StringComparison.Ordinal); // it ended: no refresh
    }

    [Fact]
    public async Task PageOfARunningJob_ShowsItsProgress_AndRefreshesItself()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(), chunkDelay: TimeSpan.FromMilliseconds(250));
        var jobId = NewJobId();
        await PostAsync(server, StartBody(jobId, Words(40), chunkSize: 1, waitSeconds: 0, maxConcurrency: 1));
        var blobs = new JobBlobs(storage.ConnectionString);
        for (var poll = 0; poll < 200 && await blobs.CommittedChunksAsync(jobId) < 4; poll++)
        {
            await Task.Delay(50);
        }

        var before = await SucceededAsync(server, jobId);
        var dom = await HeadlessChromium.DumpDomAsync(new Uri(server.BaseUrl, $"api/batch/{jobId}"));
        var after = await SucceededAsync(server, jobId);

        Assert.Equal("Running", Text(dom, "status"));
        Assert.Equal("40", Text(dom, "total"));
        Assert.InRange(int.Parse(Text(dom, "succeeded")), before, after);
        Assert.Contains("http-equiv=\"refresh\"", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"left\"", dom, StringComparison.Ordinal); // time left, at the rate so far
        Assert.Equal(40, CellCount(dom, "<i title="));
    }

    [Fact]
    public async Task PageOfAJobWhoseFailureTextHoldsMarkup_RunsNoScript_AndShowsTheTextAsText()
    {
        const string markup = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">";
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        server.RejectChunk = chunk => chunk == 2;
        server.RejectDetail = markup;
        var jobId = NewJobId();
        var job = await PostAsync(server, StartBody(jobId, Words(10), chunkSize: 2));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/batch/{jobId}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var served = await server.Client.SendAsync(request);

        var dom = await HeadlessChromium.DumpDomAsync(new Uri(server.BaseUrl, $"api/batch/{jobId}"));

        Assert.Equal("Failed", job.Body.GetProperty("status").GetString());
        Assert.StartsWith("default-src 'none';", served.Headers.GetValues("Content-Security-Policy").Single()); // no script from anywhere
        Assert.DoesNotContain("pwned", TitleOf(dom), StringComparison.Ordinal);       // no script ran
        Assert.DoesNotContain("<script", dom, StringComparison.OrdinalIgnoreCase);      // and none is in the page
        Assert.DoesNotContain("<img", dom, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;", dom, StringComparison.Ordinal); // shown as text
        Assert.Equal("1", Text(dom, "failed"));
    }

    private static async Task<int> SucceededAsync(LocalHostServer server, string jobId) =>
        JsonDocument.Parse(await server.Client.GetStringAsync($"api/batch/{jobId}")).RootElement.GetProperty("chunks").GetProperty("succeeded").GetInt32();

    private static string Text(string dom, string id) =>
        Regex.Match(dom, $"id=\"{id}\"[^>]*>([^<]*)<") is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no #{id} in {dom}");

    private static string TitleOf(string dom) => TitlePattern().Match(dom).Groups[1].Value;

    private static int CellCount(string dom, string marker) =>
        Regex.Matches(dom[dom.IndexOf("id=\"grid\"", StringComparison.Ordinal)..dom.IndexOf("class=\"legend\"", StringComparison.Ordinal)], Regex.Escape(marker)).Count;

    [GeneratedRegex("<title>([^<]*)</title>")]
    private static partial Regex TitlePattern();
}
