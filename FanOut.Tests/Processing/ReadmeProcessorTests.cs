using System.Text;
using FanOut.Core.Contracts;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Processing.Readme;
using FanOut.Tests.Support;

namespace FanOut.Tests.Processing;

/// <summary>The README's "Your own processor" example is the code these tests run, and it runs in a job.</summary>
public sealed class ReadmeProcessorTests
{
    [Fact]
    public void ReadmeExample_IsTheCodeTheseTestsRun()
    {
        var readme = File.ReadAllText(Path.Combine(LocalPaths.RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("### Your own processor", StringComparison.Ordinal)..];
        var start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var inReadme = section[start..section.IndexOf("\n```", start, StringComparison.Ordinal)];

        var source = File.ReadAllText(Path.Combine(LocalPaths.RepositoryRoot(), "FanOut.Tests", "Processing", "ReadmeExample.cs"));
        var begin = source.IndexOf('\n', source.IndexOf("// README: begin", StringComparison.Ordinal)) + 1;
        var tested = source[begin..source.IndexOf("\n// README: end", StringComparison.Ordinal)];

        Assert.Equal(tested, inReadme);
        Assert.InRange(inReadme.Split('\n').Length + 1, 1, 21); // and its registration line: about 20 lines in all
    }

    [Fact]
    public async Task ReadmeExample_RegisteredWithAddProcessor_RunsInAJob()
    {
        await using var host = OrchestrationHost.Start(fanOut: fanOut => fanOut.AddProcessor<LongRecords>());
        string[] items = ["a", "abc", "abcd", "", "xyz", "é", "éé", "toolong"];

        var reply = await host.PostAsync("""
            { "action": "start_fanout", "jobId": "readme", "processor": "longrecords", "chunkSize": 3, "options": { "bytes": 3 },
              "items": ["a", "abc", "abcd", "", "xyz", "é", "éé", "toolong"] }
            """);

        Assert.Equal(200, reply.Status);
        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(3, reply.At("chunks").GetProperty("total").GetInt32());
        Assert.Equal(items.Count(item => Encoding.UTF8.GetByteCount(item) >= 3), reply.At("result").GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task ReadmeExample_BadOptions_AreRefusedNamingTheField()
    {
        await using var host = OrchestrationHost.Start(fanOut: fanOut => fanOut.AddProcessor<LongRecords>());

        var negative = await host.PostAsync("""{ "action": "start_fanout", "processor": "longrecords", "options": { "bytes": -1 }, "items": ["a"] }""");
        var misspelt = await host.PostAsync("""{ "action": "start_fanout", "processor": "longrecords", "options": { "byte": 2 }, "items": ["a"] }""");

        Assert.Equal(400, negative.Status);
        Assert.Equal("Must not be negative.", negative.At("errors").GetProperty("options.bytes")[0].GetString());
        Assert.Equal(400, misspelt.Status);
        Assert.Contains("bytes", misspelt.At("errors").GetProperty("options.byte")[0].GetString(), StringComparison.Ordinal);
    }
}
