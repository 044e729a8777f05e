using FanOut.Cli.Output;

namespace FanOut.Tests.Cli;

/// <summary>What the CLI masks in every line it writes: the secrets of its command line and environment, and the parts
/// of them a message may quote alone.</summary>
public sealed class SecretsTests
{
    private const string AccountKey = "YWNjb3VudC1rZXktZm9yLXRoZS10ZXN0cw==";
    private const string Sig = "c2lnbmF0dXJlLW9mLXRoZS1zYXM%3D";

    [Fact]
    public void HideAll_KeyConnectionStringAndSas_AreMaskedWholeAndInPart()
    {
        var (console, output, error) = CreateSut();
        string[] args =
        [
            "upload", "f.txt", "--key=k-1234567890", "--sas-url", $"https://acct.blob.core.windows.net/inputs?sv=2024-08-04&sig={Sig}",
        ];
        var variables = new Dictionary<string, string?>
        {
            ["FANOUT_STORAGE_CONNECTION_STRING"] = $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={AccountKey};EndpointSuffix=core.windows.net",
        };

        Secrets.HideAll(args, name => variables.GetValueOrDefault(name), console);
        console.Say($"failed: key k-1234567890, account key {AccountKey}, signature {Sig}");
        console.Answer($"https://acct.blob.core.windows.net/inputs/f.txt?sv=2024-08-04&sig={Sig}"); // the SAS on another URL

        Assert.Equal("failed: key ***, account key ***, signature ***", error.ToString().TrimEnd());
        Assert.Equal("https://acct.blob.core.windows.net/inputs/f.txt?***", output.ToString().TrimEnd());
    }

    [Fact]
    public void HideAll_TheUserInfoOfEveryUrl_IsMaskedAsGivenAndUnescaped_AndAnyUserInfoOnStandardError()
    {
        var (console, output, error) = CreateSut();
        string[] args =
        [
            "upload", "f.txt", "--url", "https://app-user:app%40pass@app.example/", "--sas-url=http://sas-user:sas-pass@127.0.0.1:1/a/inputs?sig=c2lnLW9mLXRoZS1zYXM%3D",
            "--account-url:https://acct-user:acct-pass@acct.blob.core.windows.net",
        ];
        var variables = new Dictionary<string, string?> { ["FANOUT_URL"] = "https://env-user:env-pass@app.example/" };

        Secrets.HideAll(args, name => variables.GetValueOrDefault(name), console);
        console.Say("app-user:app%40pass app-user:app@pass sas-user:sas-pass acct-user:acct-pass env-user:env-pass");
        console.Say("starting at https://someone:else@other.example/api");
        console.Answer("the app's own answer: ftp://anonymous:guest@files.example/");

        Assert.Equal("*** *** *** *** ***\nstarting at https://***@other.example/api", error.ToString().TrimEnd().ReplaceLineEndings("\n"));
        Assert.Equal("the app's own answer: ftp://anonymous:guest@files.example/", output.ToString().TrimEnd());
    }

    private static (CliConsole Console, StringWriter Output, StringWriter Error) CreateSut()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        return (new CliConsole(output, error, errorIsTerminal: false), output, error);
    }
}
