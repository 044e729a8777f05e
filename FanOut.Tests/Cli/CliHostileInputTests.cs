using System.Net;
using System.Net.Sockets;
using System.Text;
using FanOut.Cli;
using FanOut.Tests.Support;

namespace FanOut.Tests.Cli;

/// <summary><c>fanout</c> against a hostile (but authorised) user and a hostile far side: every failure of every
/// command ends in a documented exit code and one masked line, never a stack trace; a key, URL or connection string
/// holding a CR, LF or another non-printable character, or a URL holding user info, is refused before anything is
/// sent (a receiver on 127.0.0.1 counts what reached it).</summary>
public sealed class CliHostileInputTests : IAsyncLifetime
{
    private const string Secret = "s3cr3t-7f2a9c41e8b64d0f";
    private const string Root = "{root}";
    private static readonly string AccountKey = Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret));

    private readonly string _folder = Directory.CreateTempSubdirectory("fanout-cli-hostile-").FullName;
    private CountingReceiver _receiver = null!;

    private string Url => _receiver.Url.AbsoluteUri;

    private string Items => Path.Combine(_folder, "items.txt");

    public static TheoryData<string> BadKeys => new()
    {
        $"{Secret}\r\nX-Injected: 1", $"{Secret}\n", $"\r\n{Secret}", $"{Secret}\tx", $"{Secret}\0", $"{Secret}\u007f", $"{Secret}\u0085", $"clé-{Secret}",
    };

    public static TheoryData<string> BadUrls => new()
    {
        $"{Root}\r\n", $"{Root}\r\nX-Injected: 1", $"\n{Root}", $"{Root}api\tx", $"{Root}\u200Bapi", $"{Root}\u0000",
    };

    public static TheoryData<string> MalformedConnectionStrings => new()
    {
        $"garbage;;AccountKey={AccountKey}",
        $"AccountName=acct;AccountKey=not base64 {Secret}",
        $"UseDevelopmentStorage=maybe;AccountKey={AccountKey}",
        $"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=not-base64-{Secret}!;BlobEndpoint={Root}acct",
        AccountKey,
    };

    public async Task InitializeAsync()
    {
        _receiver = await CountingReceiver.StartAsync();
        await File.WriteAllTextAsync(Items, "one\ntwo\n");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(BadKeys))]
    public async Task EveryCommand_AKeyWithCrLfOrANonPrintableCharacter_Exits2_BeforeAnythingIsSent(string key)
    {
        var byVariable = new CliRunner(new Dictionary<string, string?> { ["FANOUT_KEY"] = key });

        CliOutcome[] runs =
        [
            await byVariable.RunAsync("status", "j1", "--url", Url),
            await byVariable.RunAsync("cancel", "j1", "--url", Url),
            await byVariable.RunAsync("run", "--url", Url, "--items-file", Items),
            await new CliRunner().RunAsync("run", "--url", Url, "--items-file", Items, "--key", key),
        ];

        Assert.All(runs, run => AssertOneLine(run, ExitCodes.Refused, key, Secret));
        Assert.All(runs, run => Assert.Contains("holds a character that is not printable ASCII", run.Error, StringComparison.Ordinal));
        Assert.Equal(0, _receiver.Requests);
    }

    [Theory]
    [MemberData(nameof(BadUrls))]
    public async Task EveryCommand_AUrlWithCrLfOrANonPrintableCharacter_Exits2_BeforeAnythingIsSent(string url)
    {
        url = url.Replace(Root, Url, StringComparison.Ordinal);
        var byVariable = new CliRunner(new Dictionary<string, string?> { ["FANOUT_URL"] = url });

        CliOutcome[] runs =
        [
            await byVariable.RunAsync("status", "j1"),
            await byVariable.RunAsync("cancel", "j1"),
            await byVariable.RunAsync("run", "--items-file", Items),
            await new CliRunner().RunAsync("status", "j1", "--url", url),
            await new CliRunner().RunAsync("upload", Items, "--sas-url", url + $"?sv=2024-08-04&sig={Secret}"),
        ];

        Assert.All(runs, run => AssertOneLine(run, ExitCodes.Refused, Secret));
        Assert.All(runs, run => Assert.Contains("non-printable character", run.Error, StringComparison.Ordinal));
        Assert.Equal(0, _receiver.Requests);
    }

    [Fact]
    public async Task EveryCommand_AUrlWithUserInfo_Exits2_SendsNothing_AndNeverPrintsIt()
    {
        var url = $"http://fanout-user:{Secret}@127.0.0.1:{_receiver.Url.Port}/";
        var byVariable = new CliRunner(new Dictionary<string, string?> { ["FANOUT_URL"] = url });

        CliOutcome[] runs =
        [
            await byVariable.RunAsync("run", "--items-file", Items),
            await byVariable.RunAsync("status", "j1"),
            await byVariable.RunAsync("cancel", "j1"),
            await new CliRunner().RunAsync("status", "j1", "--url", url),
            await new CliRunner().RunAsync("upload", Items, "--sas-url", $"http://sas-user:{Secret}@127.0.0.1:{_receiver.Url.Port}/devstoreaccount1/inputs?sv=2024-08-04&sig=c2lnLW9mLXRoZS1zYXM%3D"),
        ];

        Assert.All(runs, run => AssertOneLine(run, ExitCodes.Refused, Secret, "fanout-user", "sas-user"));
        Assert.All(runs, run => Assert.Contains("holds a user name or password", run.Error, StringComparison.Ordinal));
        Assert.Equal(0, _receiver.Requests);
    }

    [Theory]
    [MemberData(nameof(MalformedConnectionStrings))]
    public async Task Upload_AMalformedConnectionString_Exits2_InOneMaskedLine_SendingNothing(string connectionString)
    {
        connectionString = connectionString.Replace(Root, Url, StringComparison.Ordinal);

        var byFlag = await new CliRunner().RunAsync("upload", Items, "--container", "inputs", "--connection-string", connectionString);
        var byVariable = await new CliRunner(new Dictionary<string, string?> { ["FANOUT_STORAGE_CONNECTION_STRING"] = connectionString })
            .RunAsync("upload", Items, "--container", "inputs");

        AssertOneLine(byFlag, ExitCodes.Refused, AccountKey, Secret);
        AssertOneLine(byVariable, ExitCodes.Refused, AccountKey, Secret);
        Assert.StartsWith("--connection-string is not a storage connection string: ", byFlag.Error, StringComparison.Ordinal);
        Assert.StartsWith("FANOUT_STORAGE_CONNECTION_STRING is not a storage connection string: ", byVariable.Error, StringComparison.Ordinal);
        Assert.Equal(0, _receiver.Requests);
    }

    [Fact]
    public async Task Upload_ASasUrlOrConnectionStringWithCrLf_Exits2_BeforeAnythingIsSent()
    {
        var connectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint={Url}devstoreaccount1";

        CliOutcome[] runs =
        [
            await new CliRunner().RunAsync("upload", Items, "--sas-url", $"{Url}devstoreaccount1/inputs?sv=2024-08-04&sig={Secret}\r\n"),
            await new CliRunner().RunAsync("upload", Items, "--sas-url", $"{Url}devstoreaccount1/in\u0001puts?sv=2024-08-04&sig={Secret}"),
            await new CliRunner().RunAsync("upload", Items, "--container", "inputs", "--connection-string", connectionString + ";\r\nX-Injected=1"),
            await new CliRunner(new Dictionary<string, string?> { ["FANOUT_STORAGE_CONNECTION_STRING"] = "\n" + connectionString })
                .RunAsync("upload", Items, "--container", "inputs"),
        ];

        Assert.All(runs, run => AssertOneLine(run, ExitCodes.Refused, Secret, AccountKey));
        Assert.All(runs, run => Assert.Contains("non-printable character", run.Error, StringComparison.Ordinal));
        Assert.Equal(0, _receiver.Requests);
    }

    [Fact]
    public async Task Upload_AnUnreachableSasUrl_Exits4_InOneLine_WithoutTheSignature()
    {
        var sas = $"http://127.0.0.1:{ClosedPort()}/devstoreaccount1/inputs?sv=2024-08-04&sr=c&sp=rcw&sig={Secret}";

        var run = await new CliRunner().RunAsync("upload", Items, "--sas-url", sas);

        AssertOneLine(run, ExitCodes.Unreachable, Secret);
        Assert.StartsWith("Cannot reach the storage: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AnUnreachableApp_Exits4_InOneLine()
    {
        var run = await new CliRunner(new Dictionary<string, string?> { ["FANOUT_KEY"] = Secret })
            .RunAsync("status", "j1", "--url", $"http://127.0.0.1:{ClosedPort()}/");

        AssertOneLine(run, ExitCodes.Unreachable, Secret);
        Assert.StartsWith("Cannot reach the app: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusAndCancel_AnAnswerWithNullFailures_TellTheVerdict_NotACrash()
    {
        await using var app = await CountingReceiver.StartAsync(200,
            """{"jobId":"j1","status":"Failed","chunks":{"total":2,"succeeded":1,"failed":1,"pending":0},"failures":null}""");

        var status = await new CliRunner().RunAsync("status", "j1", "--url", app.Url.AbsoluteUri);

        Assert.True(status.ExitCode == ExitCodes.Failed, status.ToString());
        Assert.Contains("Job j1 Failed: 1 of 2 chunks failed", status.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", status.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ARequestFileWhoseJobIdIsNotAString_Exits2_BeforeAnythingIsSent()
    {
        var request = Path.Combine(_folder, "job.json");
        await File.WriteAllTextAsync(request, """{"jobId":42,"items":["a"]}""");

        var run = await new CliRunner().RunAsync("run", "--url", Url, "--request", request);

        AssertOneLine(run, ExitCodes.Refused);
        Assert.Equal("The request's jobId must be a string.", run.Error.Trim());
        Assert.Equal(0, _receiver.Requests);
    }

    [Fact]
    public async Task RunAsync_AFailureTheCliDoesNotKnow_Exits4_InOneLine_NoStackTrace()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(_ => throw new InvalidOperationException("the environment broke"), ErrorIsTerminal: false, TimeProvider.System);

        var exitCode = await CliApp.RunAsync(["status", "j1", "--url", Url], output, error, environment);

        AssertOneLine(new CliOutcome(exitCode, output.ToString(), error.ToString()), ExitCodes.Unreachable);
        Assert.Equal("fanout failed unexpectedly (InvalidOperationException): the environment broke", error.ToString().Trim());
        Assert.Equal(0, _receiver.Requests);
    }

    [Fact]
    public async Task RunAsync_Interrupted_Exits3_InOneLine()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(_ => null, ErrorIsTerminal: false, TimeProvider.System);

        var exitCode = await CliApp.RunAsync(["status", "j1", "--url", Url], output, error, environment, new CancellationToken(canceled: true));

        AssertOneLine(new CliOutcome(exitCode, output.ToString(), error.ToString()), ExitCodes.GaveUp);
        Assert.StartsWith("Interrupted: ", error.ToString(), StringComparison.Ordinal);
    }

    // The exit code, nothing on standard output, one line on standard error, no stack frame, none of the secrets.
    private static void AssertOneLine(CliOutcome run, int exitCode, params string[] secrets)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Equal("", run.Out);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", run.All, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, run.All, StringComparison.Ordinal));
    }

    // A port on 127.0.0.1 nobody listens on: bound, read back, closed.
    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
