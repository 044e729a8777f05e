using System.Text;
using System.Text.RegularExpressions;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Processing.Readme;
using FanOut.Tests.Support;

namespace FanOut.Tests.Processing;

/// <summary>The README's "Your own processor" example is the code these tests run, and it runs in a job.</summary>
public sealed partial class ReadmeProcessorTests
{
    [Fact]
    public void ReadmeExample_IsTheCodeTheseTestsRun()
    {
        var readme = File.ReadAllText(Path.Combine(LocalPaths.RepositoryRoot(), "README.md"));
        var from = readme.IndexOf("### Your own processor", StringComparison.Ordinal);
        var section = readme[from..readme.IndexOf("\n### ", from + 1, StringComparison.Ordinal)];
        var inReadme = CSharpBlocks().Matches(section).Select(m => m.Groups[1].Value).ToList();

        var source = File.ReadAllText(Path.Combine(LocalPaths.RepositoryRoot(), "FanOut.Tests", "Processing", "ReadmeExample.cs"));
        var tested = TestedRegions(source);

        // The example, its registration, its test with the kit: each is code here, as the README shows it.
        Assert.True(inReadme.Count >= 3, $"{inReadme.Count} C# blocks in the README's section");
        Assert.All(inReadme, block => Assert.Contains(block, tested));
        Assert.Equal(tested[0], inReadme[0]);
        Assert.InRange(inReadme[0].Split('\n').Length + 1, 1, 21); // and its registration line: about 20 lines in all
    }

    [Fact]
    public async Task ReadmeExample_AnEmptyJob_FinishesFromBegin()
    {
        await using var host = OrchestrationHost.Start(fanOut: fanOut => fanOut.AddProcessor<LongRecords>());

        var reply = await host.PostAsync("""{ "action": "start_fanout", "jobId": "empty", "processor": "longrecords", "items": [] }""");

        Assert.Equal(200, reply.Status);
        Assert.Equal(JobStatus.Succeeded, reply.JobStatus);
        Assert.Equal(0, reply.At("chunks").GetProperty("total").GetInt32());
        Assert.Equal(0, reply.At("result").GetProperty("records").GetInt64());
    }

    // Each "// README: begin" ... "// README: end" region of the file, without the markers' indentation.
    private static List<string> TestedRegions(string source)
    {
        var regions = new List<string>();
        var lines = source.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith("// README: begin", StringComparison.Ordinal))
            {
                continue;
            }
            var indent = lines[i].Length - lines[i].TrimStart().Length;
            var end = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith("// README: end", StringComparison.Ordinal));
            regions.Add(string.Join('\n', lines[(i + 1)..end].Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())));
            i = end;
        }
        return regions;
    }

    [GeneratedRegex("```csharp\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlocks();

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
