using FanOut.Cli;
using FanOut.Cli.Upload;
using FanOut.Tests.Support;

namespace FanOut.Tests.Cli;

/// <summary><c>fanout upload</c> reads where to upload from the environment variables azd outputs
/// (AZURE_STORAGE_BLOB_ENDPOINT or AZURE_STORAGE_ACCOUNT_NAME, FANOUT_INPUT_CONTAINER) when no flag says it, and a flag
/// always wins: what it resolves to, and an upload through Azurite into the container the environment names.</summary>
[Collection(StorageCollection.Name)]
public sealed class UploadDestinationTests(AzuriteFixture storage) : IDisposable
{
    private const string Endpoint = "https://fanoutstore.blob.core.windows.net/";
    private const string ConnectionString = "UseDevelopmentStorage=true";

    private static readonly Dictionary<string, string?> AzdOutputs = new()
    {
        ["AZURE_STORAGE_BLOB_ENDPOINT"] = Endpoint, ["AZURE_STORAGE_ACCOUNT_NAME"] = "otherstore", ["FANOUT_INPUT_CONTAINER"] = "inputs",
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("fanout-cli-upload-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Of_NoFlags_TakesTheBlobEndpointAndTheContainerFromAzdsOutputs()
    {
        var destination = UploadDestination.Of(null, null, null, null, Variables(AzdOutputs));

        Assert.Equal(new UploadDestination(null, null, new Given(Endpoint, "AZURE_STORAGE_BLOB_ENDPOINT"), new Given("inputs", "FANOUT_INPUT_CONTAINER")), destination);
    }

    [Fact]
    public void Of_OnlyTheAccountName_MakesItsBlobUrl()
    {
        var destination = UploadDestination.Of(null, null, null, null, Variables(new() { ["AZURE_STORAGE_ACCOUNT_NAME"] = "fanoutstore" }));

        Assert.Equal(new Given(Endpoint, "AZURE_STORAGE_ACCOUNT_NAME"), destination.AccountUrl);
        Assert.Null(destination.Container);
    }

    [Fact]
    public void Of_FlagsWin_OverEveryVariable()
    {
        var variables = new Dictionary<string, string?>(AzdOutputs) { ["FANOUT_STORAGE_CONNECTION_STRING"] = ConnectionString };

        var byAccountUrl = UploadDestination.Of(null, null, "https://flagstore.blob.core.windows.net/", "mine", Variables(variables));
        var byConnectionString = UploadDestination.Of("AccountName=flag", null, null, null, Variables(variables));
        var bySasUrl = UploadDestination.Of(null, "https://flagstore.blob.core.windows.net/data?sig=x", null, null, Variables(variables));

        Assert.Equal(new UploadDestination(null, null, new Given("https://flagstore.blob.core.windows.net/", "--account-url"), new Given("mine", "--container")), byAccountUrl);
        Assert.Equal(new UploadDestination(new Given("AccountName=flag", "--connection-string"), null, null, new Given("inputs", "FANOUT_INPUT_CONTAINER")), byConnectionString);
        // A SAS URL names its own container: FANOUT_INPUT_CONTAINER does not stand beside it.
        Assert.Equal(new UploadDestination(null, "https://flagstore.blob.core.windows.net/data?sig=x", null, null), bySasUrl);
    }

    [Fact]
    public void Of_AConnectionStringVariable_WinsOverAzdsOutputs_AndAnEmptyVariableIsNone()
    {
        var withConnectionString = new Dictionary<string, string?>(AzdOutputs) { ["FANOUT_STORAGE_CONNECTION_STRING"] = ConnectionString };
        var empty = new Dictionary<string, string?>(AzdOutputs)
        {
            ["FANOUT_STORAGE_CONNECTION_STRING"] = "", ["AZURE_STORAGE_BLOB_ENDPOINT"] = "", ["FANOUT_INPUT_CONTAINER"] = "",
        };

        var connection = UploadDestination.Of(null, null, null, null, Variables(withConnectionString));
        var fallback = UploadDestination.Of(null, null, null, null, Variables(empty));

        Assert.Equal(new UploadDestination(new Given(ConnectionString, "FANOUT_STORAGE_CONNECTION_STRING"), null, null, new Given("inputs", "FANOUT_INPUT_CONTAINER")), connection);
        Assert.Equal(new UploadDestination(null, null, new Given("https://otherstore.blob.core.windows.net/", "AZURE_STORAGE_ACCOUNT_NAME"), null), fallback);
    }

    [Theory]
    [InlineData("Fanout")]
    [InlineData("ab")]
    [InlineData("fanout.evil.example/x")]
    public async Task Upload_AnAccountNameThatIsNone_Exits2_NamingTheVariable(string account)
    {
        var file = await FileAsync("a\n");

        var run = await new CliRunner(new Dictionary<string, string?> { ["AZURE_STORAGE_ACCOUNT_NAME"] = account, ["FANOUT_INPUT_CONTAINER"] = "inputs" })
            .RunAsync("upload", file);

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.StartsWith("AZURE_STORAGE_ACCOUNT_NAME is not a storage account's name", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_ABlobEndpointVariableWithUserInfo_Exits2_NamingTheVariable_AndMasksIt()
    {
        var file = await FileAsync("a\n");

        var run = await new CliRunner(new Dictionary<string, string?>
        {
            ["AZURE_STORAGE_BLOB_ENDPOINT"] = "https://someone:pa55-w0rd-f00@fanoutstore.blob.core.windows.net/", ["FANOUT_INPUT_CONTAINER"] = "inputs",
        }).RunAsync("upload", file);

        Assert.True(run.ExitCode == ExitCodes.Refused, run.ToString());
        Assert.StartsWith("AZURE_STORAGE_BLOB_ENDPOINT holds a user name or password", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55-w0rd-f00", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_NoWayAndNoContainer_Exits2_NamingTheFlagsAndTheirVariables()
    {
        var file = await FileAsync("a\n");

        var noWay = await new CliRunner().RunAsync("upload", file, "--container", "inputs");
        var noContainer = await new CliRunner(new Dictionary<string, string?> { ["AZURE_STORAGE_BLOB_ENDPOINT"] = Endpoint }).RunAsync("upload", file);

        Assert.True(noWay.ExitCode == ExitCodes.Refused, noWay.ToString());
        Assert.Contains("--account-url (or AZURE_STORAGE_BLOB_ENDPOINT or AZURE_STORAGE_ACCOUNT_NAME", noWay.Error, StringComparison.Ordinal);
        Assert.True(noContainer.ExitCode == ExitCodes.Refused, noContainer.ToString());
        Assert.Contains("--container (or FANOUT_INPUT_CONTAINER)", noContainer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_WithoutContainerFlag_PutsTheFileInFanoutInputContainer_AndTheFlagWins()
    {
        var file = await FileAsync("one\ntwo\n");
        var name = $"cli/{Guid.NewGuid():N}/data.txt";
        var flagContainer = $"flag{Guid.NewGuid():N}"[..20];
        var cli = new CliRunner(new Dictionary<string, string?>
        {
            ["FANOUT_STORAGE_CONNECTION_STRING"] = storage.ConnectionString, ["FANOUT_INPUT_CONTAINER"] = "inputs",
            ["AZURE_STORAGE_BLOB_ENDPOINT"] = Endpoint,
        });

        var byVariable = await cli.RunAsync("upload", file, "--name", name, "--create-container");
        var byFlag = await cli.RunAsync("upload", file, "--name", name, "--container", flagContainer, "--create-container");

        Assert.True(byVariable.ExitCode == 0, byVariable.ToString());
        Assert.Contains($"to inputs/{name}.", byVariable.Error, StringComparison.Ordinal);
        Assert.Equal("one\ntwo\n", await new JobBlobs(storage.ConnectionString, "inputs").ReadAsync(name));
        Assert.True(byFlag.ExitCode == 0, byFlag.ToString());
        Assert.Equal("one\ntwo\n", await new JobBlobs(storage.ConnectionString, flagContainer).ReadAsync(name));
    }

    private static Func<string, string?> Variables(Dictionary<string, string?> variables) => name => variables.GetValueOrDefault(name);

    private async Task<string> FileAsync(string content)
    {
        var file = Path.Combine(_folder, $"{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, content);
        return file;
    }
}
