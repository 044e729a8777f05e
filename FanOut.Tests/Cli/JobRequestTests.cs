using System.Text.Json.Nodes;
using FanOut.Cli;
using FanOut.Cli.Jobs;
using Microsoft.Extensions.Time.Testing;

namespace FanOut.Tests.Cli;

/// <summary>The start_fanout body <c>fanout run</c> makes of its flags and request file.</summary>
public sealed class JobRequestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fanout-cli-request-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Build_FlagsOverARequestFile_FlagsWin_TheFilesOtherFieldsStay()
    {
        var file = Write("job.json", """{ "processor": "count", "chunkSize": 10, "waitSeconds": 30, "items": [1, 2] }""");

        var body = JobRequest.Build(new RunFlags { RequestFile = new FileInfo(file), Processor = "wordcount", JobId = "mine" }, TimeProvider.System);

        Assert.Equal("""{"processor":"wordcount","chunkSize":10,"waitSeconds":30,"items":[1,2],"action":"start_fanout","jobId":"mine"}""", body.ToJsonString());
    }

    [Theory]
    [InlineData(0, """{"estimate":{}}""")]
    [InlineData(3, """{"estimate":{"sample":3}}""")]
    public void Build_AnEstimate_AsksForIt_AndNeitherWaitsNorSaysDryRun(int sample, string expected)
    {
        var file = Write("job.json", """{ "processor": "count", "waitSeconds": 30, "dryRun": false, "items": [1, 2] }""");

        var body = JobRequest.Build(new RunFlags { RequestFile = new FileInfo(file), JobId = "j", EstimateSample = sample }, TimeProvider.System);

        Assert.Equal(expected, new System.Text.Json.Nodes.JsonObject { ["estimate"] = body["estimate"]!.DeepClone() }.ToJsonString());
        Assert.False(body.ContainsKey("waitSeconds"));
        Assert.False(body.ContainsKey("dryRun"));
    }

    [Fact]
    public void Build_TheToleratedFailureFlags_AreTheRequestsFields()
    {
        var body = JobRequest.Build(new RunFlags { JobId = "j", ToleratedFailurePercent = 2.5, ToleratedFailureCount = 7 }, TimeProvider.System);

        Assert.Equal(2.5, body["toleratedFailurePercent"]!.GetValue<double>());
        Assert.Equal(7, body["toleratedFailureCount"]!.GetValue<int>());
    }

    [Fact]
    public void Build_WithoutAJobId_NamesTheJob_SortableByTime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 3, 4, 5, 678, TimeSpan.Zero));

        var body = JobRequest.Build(new RunFlags { Processor = "count" }, clock);

        Assert.Matches("^20261128T030405678Z-[0-9a-f]{12}$", body["jobId"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("inputs/data/words.txt", """{"container":"inputs","blob":"data/words.txt","format":"lines"}""")]
    [InlineData("inputs/data/2026-11/", """{"container":"inputs","prefix":"data/2026-11/","format":"lines"}""")]
    public void Build_ASource_IsABlobOrAPrefix(string source, string expected)
    {
        var body = JobRequest.Build(new RunFlags { Source = source, Format = "lines", JobId = "j" }, TimeProvider.System);

        Assert.Equal(expected, body["source"]!.ToJsonString());
    }

    [Fact]
    public void Build_AnItemsFile_TextIsOneItemPerLine_JsonIsItsArray()
    {
        var text = Write("items.txt", "a b\r\nc\n\nd\n");
        var json = Write("items.json", """[{"n":1}, "x"]""");

        var lines = JobRequest.Build(new RunFlags { ItemsFile = new FileInfo(text), JobId = "j" }, TimeProvider.System);
        var array = JobRequest.Build(new RunFlags { ItemsFile = new FileInfo(json), JobId = "j" }, TimeProvider.System);

        Assert.Equal("""["a b","c","","d"]""", lines["items"]!.ToJsonString());
        Assert.Equal("""[{"n":1},"x"]""", array["items"]!.ToJsonString());
    }

    [Theory]
    [InlineData("nocontainer")]
    [InlineData("inputs/")]
    public void Build_ASourceWithoutContainerAndPath_IsAUsageError(string source)
    {
        var error = Assert.Throws<UsageException>(() => JobRequest.Build(new RunFlags { Source = source }, TimeProvider.System));

        Assert.Contains("container/blob", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_OptionsThatAreNotAJsonObject_IsAUsageError()
    {
        var error = Assert.Throws<UsageException>(() => JobRequest.Build(new RunFlags { Options = "[1]" }, TimeProvider.System));

        Assert.Equal("--options must hold a JSON object.", error.Message);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
