using System.Text.RegularExpressions;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Tests.Support;

namespace FanOut.Tests.Jobs;

/// <summary>A start_fanout sent again under its jobId is the same job when it means the same (members in another
/// order, numbers spelled otherwise, escapes, spaces), whatever the spelling of the first; anything else is 409.
/// Either way nothing is stored or dispatched a second time.</summary>
[Trait("Tier", "Orchestration")]
public sealed class FingerprintTests
{
    public static TheoryData<string, string, string, int> Resent => new()
    {
        // The request: the options' keys in another order.
        { "options in another key order", """{"processor":"wordcount","options":{"top":3,"lowercase":true},"items":["a b","c"]}""",
            """{"processor":"wordcount","options":{"lowercase":true,"top":3},"items":["a b","c"]}""", 200 },
        { "items' members in another order, at every depth", """{"processor":"count","items":[{"id":1,"tags":{"x":1,"y":[{"p":1,"q":2}]}},"A"]}""",
            """{"processor":"count","items":[ {"tags": {"y":[{"q":2,"p":1}],"x":1}, "id":1}, "\u0041" ]}""", 200 },
        { "numbers of one value", """{"processor":"count","items":[[1,0.5,100,1e400,12345678901234567890123456789012345]]}""",
            """{"processor":"count","items":[[1.0,5e-1,1E2,10e399,1.2345678901234567890123456789012345e34]]}""", 200 },
        { "a huge exponent, respelled", """{"processor":"count","items":[1e999999999999999999]}""",
            """{"processor":"count","items":[10e999999999999999998]}""", 200 },
        { "members of one name, the others moved", """{"processor":"count","items":[{"a":1,"b":0,"a":2}]}""",
            """{"processor":"count","items":[{"b":0,"a":1,"a":2}]}""", 200 },
        { "another option", """{"processor":"wordcount","options":{"top":3,"lowercase":true},"items":["a b","c"]}""",
            """{"processor":"wordcount","options":{"lowercase":true,"top":4},"items":["a b","c"]}""", 409 },
        { "numbers one double confuses", """{"processor":"count","items":[0.1]}""", """{"processor":"count","items":[0.10000000000000001]}""", 409 },
        { "a huge exponent, another value", """{"processor":"count","items":[1e999999999999999999]}""",
            """{"processor":"count","items":[1e999999999999999998]}""", 409 },
        { "items in another order", """{"processor":"count","items":[[1,2]]}""", """{"processor":"count","items":[[2,1]]}""", 409 },
        { "members of one name in another order", """{"processor":"count","items":[{"a":1,"a":2}]}""",
            """{"processor":"count","items":[{"a":2,"a":1}]}""", 409 },
    };

    [Theory]
    [MemberData(nameof(Resent))]
    public async Task StartFanout_SentAgainOtherwiseSpelled_IsTheJobOnlyIfItMeansTheSame(string change, string first, string again, int expected)
    {
        await using var host = OrchestrationHost.Start(fanoutWidth: 4);
        var jobId = Regex.Replace(change, "[^A-Za-z0-9]+", "-");

        var started = await host.PostAsync(Start(jobId, first));
        var manifest = host.Ledger.Blob(LedgerPaths.Manifest(jobId))!.Content;
        var chunkCalls = host.Caller.Calls(BatchActions.ProcessChunk);
        var resent = await host.PostAsync(Start(jobId, again));

        Assert.Equal(200, started.Status);
        Assert.Equal(expected, resent.Status);
        if (expected == 200)
        {
            Assert.Equal(started.Body.ToString(), resent.Body.ToString());   // the job's result, as the first start answered it
        }
        else
        {
            Assert.Equal("urn:fanout:problem:job-id-reused", resent.Body.GetProperty("type").GetString());
        }
        Assert.Equal(manifest, host.Ledger.Blob(LedgerPaths.Manifest(jobId))!.Content); // one job, stored once
        Assert.Equal([host.Ledger.Manifest(jobId)!.InputBlob], host.Ledger.Names(LedgerPaths.Inputs(jobId)));
        Assert.Equal(chunkCalls, host.Caller.Calls(BatchActions.ProcessChunk)); // nothing dispatched again
    }

    // The body's own fields first (action, jobId, chunkSize), then the request's.
    private static string Start(string jobId, string request) =>
        $$"""{"action":"start_fanout","jobId":"{{jobId}}","chunkSize":1,""" + request[1..];
}
