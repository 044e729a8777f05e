using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FanOut.Tests.Support;
using static FanOut.Tests.EndToEnd.JobLedgerEndToEndTests;

namespace FanOut.Tests.EndToEnd;

/// <summary>A DELETE racing the status page and a re-sent start, through LocalHost, the real worker and Azurite: every answer is
/// the truth about a job that is there or gone, never a 500 and never "stored, send resume" for a job that is gone.</summary>
[Collection(StorageCollection.Name)]
public sealed class PurgeRaceEndToEndTests(AzuriteFixture storage)
{
    private const int Rounds = 6;
    private const int ReadersPerRound = 8;
    private const int ReadsPerReader = 10;

    [Fact]
    public async Task StatusPage_RacingAPurge_AnswersThePageOr404_NeverA500()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var answers = new List<HttpStatusCode>();

        for (var round = 0; round < Rounds; round++)
        {
            var jobId = NewJobId();
            var job = await PostAsync(server, StartBody(jobId, Words(16), chunkSize: 2));
            Assert.Equal("Succeeded", job.Body.GetProperty("status").GetString());
            using var go = new SemaphoreSlim(0);
            var readers = Enumerable.Range(0, ReadersPerRound).Select(async _ =>
            {
                await go.WaitAsync();
                var seen = new List<HttpStatusCode>();
                for (var read = 0; read < ReadsPerReader; read++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"api/batch/{jobId}") { Headers = { { "Accept", "text/html" } } };
                    using var page = await server.Client.SendAsync(request);
                    seen.Add(page.StatusCode);
                }
                return seen;
            }).ToList();
            go.Release(ReadersPerRound);
            using var deleted = await server.Client.DeleteAsync($"api/batch/{jobId}");
            answers.AddRange((await Task.WhenAll(readers)).SelectMany(s => s));
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        Assert.Equal(Rounds * ReadersPerRound * ReadsPerReader, answers.Count);
        Assert.All(answers, status => Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound }));
        Assert.Contains(HttpStatusCode.NotFound, answers);
    }

    [Fact]
    public async Task Start_RacingAPurgeOfItsJob_AnswersTheJobOr404_NeverStoredForAJobThatIsGone()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());
        var answers = new List<(HttpStatusCode Status, string Body)>();

        for (var round = 0; round < 3; round++)
        {
            var jobId = NewJobId();
            var body = StartBody(jobId, Words(8), chunkSize: 2);
            Assert.Equal("Succeeded", (await PostAsync(server, body)).Body.GetProperty("status").GetString());
            using var go = new SemaphoreSlim(0);
            var starts = Enumerable.Range(0, 20).Select(async _ =>
            {
                await go.WaitAsync();
                using var answer = await server.Client.PostAsJsonAsync("api/batch", body);
                return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
            }).ToList();
            go.Release(20);
            using var deleted = await server.Client.DeleteAsync($"api/batch/{jobId}");
            answers.AddRange(await Task.WhenAll(starts));

            // Whatever the starts answered, the job that stands (if one does) is whole: re-sent, it answers its result.
            using var after = await server.Client.GetAsync($"api/batch/{jobId}");
            if (after.StatusCode == HttpStatusCode.OK)
            {
                var again = await PostAsync(server, body);
                Assert.Equal("Succeeded", again.Body.GetProperty("status").GetString());
                Assert.Equal(8, again.Body.GetProperty("items").GetProperty("processed").GetInt64());
            }
        }

        // (503 instance-busy: more starts at once than the instance lets wait for others; nothing stored, try again.)
        Assert.All(answers, answer => Assert.True(
            answer.Status is HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.NotFound
            || (answer.Status == HttpStatusCode.ServiceUnavailable && answer.Body.Contains("urn:fanout:problem:instance-busy", StringComparison.Ordinal)),
            $"{(int)answer.Status} {answer.Body}"));
        Assert.DoesNotContain(answers, answer => answer.Body.Contains("is stored, but", StringComparison.Ordinal));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.OK),
            answer => Assert.Contains(JsonDocument.Parse(answer.Body).RootElement.GetProperty("status").GetString(), new[] { "Succeeded", "Failed" }));
    }
}
