using FanOut.Tests.Support;

namespace FanOut.Tests.Cli;

/// <summary><c>fanout run --estimate</c> against a scripted app (a receiver on 127.0.0.1 answering one estimate): one call,
/// no job waited for, the answer on standard output and the projection in words on standard error, exit 0.</summary>
public sealed class EstimateCommandTests : IAsyncLifetime
{
    private const string Answer = """
        {"dryRun":true,"jobId":"est-1","processor":"count","chunks":120,"items":1200,"treeLevels":[1,2,120],"concurrency":32,"invocations":123,
         "estimate":{"sample":{"size":8,"chunks":[3,9,17,40,55,71,99,118],"records":80,"failed":0,"minSeconds":0.012,"medianSeconds":0.031,"maxSeconds":0.2},
         "seconds":0.149,"invocations":123,"instances":3,"instanceMemoryMB":2048,"gbSeconds":0.894,
         "storageOperations":{"reads":10,"writes":135,"lists":1,"total":146},
         "cost":{"currency":"USD","executionTime":0.000023,"executions":0.000049,"storage":0.000747,"total":0.000819,
                 "prices":{"currency":"USD","asOf":"2025-05-22","source":"list prices","perGbSecond":0.000026,"perMillionExecutions":0.40,
                           "perTenThousandWrites":0.055,"perTenThousandReads":0.0044,"perTenThousandLists":0.055}},
         "note":"A projection from 8 of 120 chunks, each run once, not a promise."}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("fanout-cli-estimate-").FullName;
    private CountingReceiver _receiver = null!;

    private string Items => Path.Combine(_folder, "items.txt");

    public async Task InitializeAsync()
    {
        _receiver = await CountingReceiver.StartAsync(200, Answer);
        await File.WriteAllTextAsync(Items, "one\ntwo\n");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task RunEstimate_PrintsThePlanAndTheProjection_WithOneCall_Exit0()
    {
        var run = await new CliRunner().RunAsync("run", "--url", _receiver.Url.AbsoluteUri, "--items-file", Items, "--estimate", "--sample", "8");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, _receiver.Requests); // the estimate, and no status poll: no job was started
        Assert.Equal(Answer.Trim(), run.Out.Trim());
        Assert.Contains("Estimate of job est-1: 120 chunks, 32 in flight, 123 invocations.", run.Error, StringComparison.Ordinal);
        Assert.Contains("sample:     8 chunks (80 records), 0.012 s / 0.031 s / 0.2 s (min / median / max)", run.Error, StringComparison.Ordinal);
        Assert.Contains("time:       about 0.149 s", run.Error, StringComparison.Ordinal);
        Assert.Contains("compute:    0.894 GB-s (3 instance(s) of 2048 MB)", run.Error, StringComparison.Ordinal);
        Assert.Contains("storage:    146 operations (10 reads, 135 writes, 1 lists)", run.Error, StringComparison.Ordinal);
        Assert.Contains("cost:       0.000819 USD (execution time 0.000023, executions 0.000049, storage 0.000747; prices as of 2025-05-22)", run.Error, StringComparison.Ordinal);
        Assert.Contains("A projection from 8 of 120 chunks, each run once, not a promise.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sample_WithoutEstimate_IsAUsageError_NothingSent()
    {
        var run = await new CliRunner().RunAsync("run", "--url", _receiver.Url.AbsoluteUri, "--items-file", Items, "--sample", "8");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--sample goes with --estimate.", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, _receiver.Requests);
    }
}
