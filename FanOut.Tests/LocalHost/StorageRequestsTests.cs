using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.LocalHost;

public sealed class StorageRequestsTests
{
    [Theory]
    [InlineData("GET /devstoreaccount1/fanout?restype=container&comp=list&prefix=jobs%2F HTTP/1.1\" 200 -", "list")]
    [InlineData("GET /devstoreaccount1/fanout/jobs/a/chunks/000001.json HTTP/1.1\" 200 -", "read")]
    [InlineData("HEAD /devstoreaccount1/fanout/jobs/a/manifest.json HTTP/1.1\" 404 -", "read")]
    [InlineData("PUT /devstoreaccount1/fanout/jobs/a/chunks/000001.json HTTP/1.1\" 201 -", "upload")]
    [InlineData("PUT /devstoreaccount1/fanout/jobs/a/runs/r.log?comp=appendblock HTTP/1.1\" 201 -", "append")]
    [InlineData("PUT /devstoreaccount1/fanout/jobs/a/lease?comp=lease HTTP/1.1\" 200 -", "lease")]
    [InlineData("DELETE /devstoreaccount1/fanout/jobs/a/pause.json HTTP/1.1\" 202 -", "delete")]
    [InlineData("PUT /devstoreaccount1/fanout?restype=container HTTP/1.1\" 201 -", "other")]
    public void Count_AnAccessLogLine_CountsItsKind(string request, string kind)
    {
        var requests = new StorageRequests();

        requests.Count($"127.0.0.1 - - [07/Dec/2026:04:25:19 +0000] \"{request}");
        requests.Count("Azurite Blob service successfully listens on http://127.0.0.1:45045");

        Assert.Equal(1, requests[kind]);
        Assert.Equal(1, requests.Total);
    }
}
