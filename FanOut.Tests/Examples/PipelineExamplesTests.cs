using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using FanOut.Cli;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Examples;

/// <summary>The pipeline examples under examples/: every GitHub workflow passes its schema (action-validator, as CI runs
/// it, which rejects a broken copy); every action is pinned by a full commit SHA with its release tag in a comment; no
/// secret is stored but the OpenID Connect identifiers; the function key is read at run time with the signed-in
/// identity and masked before any use; the CLI is installed as a tool package, not built from FanOut's source; and
/// every <c>fanout</c> command in them parses with the CLI's own parser.</summary>
public sealed partial class PipelineExamplesTests
{
    private static readonly string Examples = Path.Combine(LocalPaths.RepositoryRoot(), "examples");

    // The actions' current majors, read from their repositories' release tags (2026-08): a newer major is a deliberate
    // change of the examples, made here too.
    private static readonly Dictionary<string, int> CurrentMajors = new()
    {
        ["actions/checkout"] = 7, ["actions/setup-dotnet"] = 6, ["actions/upload-artifact"] = 7, ["actions/download-artifact"] = 8,
        ["azure/login"] = 3, ["Azure/setup-azd"] = 2,
    };

    private static readonly string[] OidcIdentifiers = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"];

    /// <summary>Every example, as its path under examples/.</summary>
    public static TheoryData<string> AllExamples => new(Files("*.yml"));

    /// <summary>Every GitHub workflow under examples/github-actions.</summary>
    public static TheoryData<string> GitHubWorkflows => new(WorkflowFiles());

    [Theory]
    [MemberData(nameof(GitHubWorkflows))]
    public async Task GitHubWorkflow_PassesActionValidator(string example)
    {
        var (exitCode, output) = await ValidateAsync(Path.Combine(Examples, example));

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task GitHubWorkflow_WithAMistake_IsRejectedByActionValidator()
    {
        var broken = Path.Combine(Directory.CreateTempSubdirectory("fanout-workflow-").FullName, "fanout.yml");
        await File.WriteAllTextAsync(broken, Read("github-actions/fanout.yml").Replace("runs-on:", "runs_on:", StringComparison.Ordinal));

        var (exitCode, output) = await ValidateAsync(broken);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("runs_on", output, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(broken)!, recursive: true);
    }

    [Fact]
    public void GitHubWorkflows_AreTheJobAndTheDeploy()
    {
        Assert.Equal(["github-actions/deploy.yml", "github-actions/fanout.yml"], WorkflowFiles());
    }

    [Theory]
    [MemberData(nameof(GitHubWorkflows))]
    public void EveryUses_IsAnActionOfGitHubOrAzure_PinnedByAFullCommitSha_WithItsReleaseTagInAComment(string example)
    {
        var uses = UsesLine().Matches(Read(example)).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(uses);
        Assert.All(uses, use =>
        {
            var pin = PinnedUse().Match(use);
            Assert.True(pin.Success, $"{example}: `uses: {use}` is not `owner/action@<40 hex digits> # vX.Y.Z`.");
            var action = pin.Groups["action"].Value;
            Assert.True(CurrentMajors.TryGetValue(action, out var major), $"{example}: {action} is not one of GitHub's or Azure's own actions listed here.");
            Assert.Equal(major, int.Parse(pin.Groups["major"].Value, System.Globalization.CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public void EveryAction_IsPinnedToTheSameCommitAndTag_InEveryWorkflow()
    {
        var pins = WorkflowFiles()
            .SelectMany(example => UsesLine().Matches(Read(example)).Select(m => PinnedUse().Match(m.Groups[1].Value)))
            .GroupBy(pin => pin.Groups["action"].Value)
            .ToDictionary(g => g.Key, g => g.Select(pin => pin.Groups["sha"].Value + " " + pin.Groups["tag"].Value).Distinct().ToList());

        Assert.All(pins, pin => Assert.Single(pin.Value));
        Assert.Equal(CurrentMajors.Keys.Order(StringComparer.Ordinal), pins.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AzurePipeline_UsesOnlyStandardTasks()
    {
        var tasks = TaskLine().Matches(Read("azure-pipelines/azure-pipelines.yml")).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(["UseDotNet@2", "NuGetAuthenticate@1", "AzureCLI@2", "AzureCLI@2", "PublishPipelineArtifact@1"], tasks);
    }

    [Theory]
    [MemberData(nameof(AllExamples))]
    public void Example_StoresNoSecretButTheOidcIdentifiers(string example)
    {
        var code = Code(example);

        Assert.All(SecretReference().Matches(code).Select(m => m.Groups[1].Value), name => Assert.Contains(name, OidcIdentifiers));
        // No FanOut key from a store: not a pipeline variable ($(FANOUT_KEY)), not an azd environment's saved state.
        Assert.DoesNotContain("$(FANOUT_KEY)", code, StringComparison.Ordinal);
        Assert.DoesNotContain("AZD_INITIAL_ENVIRONMENT_CONFIG", code, StringComparison.Ordinal);
        Assert.DoesNotContain("--key", code, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"FANOUT_KEY\s*[:=]\s*[^$\s]", code);
    }

    [Theory]
    [MemberData(nameof(AllExamples))]
    public void Example_ThatRunsAJob_ReadsTheKeyWithItsIdentity_AndMasksItBeforeAnyUse(string example)
    {
        var code = Code(example);
        var run = code.IndexOf("fanout run", StringComparison.Ordinal);
        Assert.True(run >= 0, $"{example} runs no job.");

        var read = code.IndexOf(
            "FANOUT_KEY=$(az functionapp keys list --resource-group \"$AZURE_RESOURCE_GROUP\" --name \"$AZURE_FUNCTION_APP_NAME\"", StringComparison.Ordinal);
        var mask = Math.Max(
            code.IndexOf("echo \"::add-mask::$FANOUT_KEY\"", StringComparison.Ordinal),
            code.IndexOf("echo \"##vso[task.setsecret]$FANOUT_KEY\"", StringComparison.Ordinal));
        var export = code.IndexOf("export FANOUT_KEY", StringComparison.Ordinal);

        Assert.True(read >= 0, $"{example} does not read the key with az functionapp keys list.");
        Assert.Contains("--query functionKeys.default --output tsv", code, StringComparison.Ordinal);
        Assert.True(read < mask && mask < export && export < run, $"{example}: read the key, mask it, then use it ({read}, {mask}, {export}, {run}).");
        // Past its check and its mask, no command line holds the key: it reaches the CLI in the environment only.
        Assert.Equal(Regex.Count(code, @"\$FANOUT_KEY\b"), Regex.Count(code, @"(-n|add-mask::|setsecret\])\s*""?\$FANOUT_KEY\b"));
    }

    [Theory]
    [MemberData(nameof(AllExamples))]
    public void Example_InstallsTheCliAsAVersionedToolPackage_NotFromSource(string example)
    {
        var code = Code(example);
        var install = ToolInstall().Match(code);

        Assert.True(install.Success, $"{example} does not install FanOut.Cli with dotnet tool install --global --version … --add-source ….");
        if (example == "github-actions/deploy.yml")
        {
            // FanOut's own CI packs the CLI, keeps it as an artifact, and installs it from there.
            Assert.Contains("dotnet pack FanOut.Cli --configuration Release --output artifacts/packages", code, StringComparison.Ordinal);
            Assert.Equal("\"$RUNNER_TEMP/fanout-cli\"", install.Groups["source"].Value);
        }
        else
        {
            // A data repository holds none of FanOut's source: the package comes from the team's feed.
            Assert.DoesNotMatch(@"dotnet (pack|build|run|publish)\b|--project|FanOut\.Cli/", code);
            Assert.Contains("FANOUT_CLI_FEED", install.Groups["source"].Value, StringComparison.Ordinal);
            Assert.Contains("FANOUT_CLI_VERSION", install.Groups["version"].Value, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("github-actions/fanout.yml", new[] { "upload", "run" })]
    [InlineData("github-actions/deploy.yml", new[] { "run" })]
    [InlineData("azure-pipelines/azure-pipelines.yml", new[] { "upload", "run" })]
    public void Example_CallsTheAppOnlyThroughTheCli_AndEveryFanoutCommandParses(string example, string[] expected)
    {
        var code = Code(example);
        var commands = FanoutCommand().Matches(code).Select(m => Tokens(m.Value)).ToList();

        Assert.Equal(expected, commands.Select(c => c[1]));
        Assert.All(commands, command =>
        {
            var parsed = CliApp.Parse(command.Skip(1).ToList());
            Assert.True(parsed.Errors.Count == 0, string.Join(" ", command) + ": " + string.Join("; ", parsed.Errors.Select(e => e.Message)));
        });
        Assert.DoesNotMatch(@"\b(curl|wget|jq|Invoke-RestMethod|Invoke-WebRequest)\b", code);
    }

    [Fact]
    public void Examples_EachFanoutCommandIsFound_EvenAcrossContinuedLines()
    {
        var code = Code("github-actions/fanout.yml");

        var run = FanoutCommand().Matches(code).Select(m => Tokens(m.Value)).Single(c => c[1] == "run");

        Assert.Equal(["--timeout", "60m"], run[^2..]);
        Assert.DoesNotContain("\\", run);
    }

    [Fact]
    public void DeployWorkflow_SignsInWithOidc_ThenProvisionsAndDeploysWithAzd_FromVariablesOnly()
    {
        var code = Code("github-actions/deploy.yml");

        Assert.Contains(
            "azd auth login --client-id \"$AZURE_CLIENT_ID\" --federated-credential-provider github --tenant-id \"$AZURE_TENANT_ID\"", code, StringComparison.Ordinal);
        Assert.True(code.IndexOf("azd provision --no-prompt", StringComparison.Ordinal) < code.IndexOf("azd deploy --no-prompt", StringComparison.Ordinal));
        Assert.Contains("AZURE_ENV_NAME: ${{ vars.AZURE_ENV_NAME }}", code, StringComparison.Ordinal);
        Assert.Contains("AZURE_LOCATION: ${{ vars.AZURE_LOCATION }}", code, StringComparison.Ordinal);
        // Nothing sets the app's keys: they stay in the Key Vault as the first provision made them.
        Assert.DoesNotMatch(@"azd env set|SIGNING_KEY|signingKey|selfCallKey", code);
    }

    // node_modules/.bin/action-validator (the version package-lock.json pins; `npm ci` when missing).
    private static async Task<(int ExitCode, string Output)> ValidateAsync(string workflow)
    {
        var validator = await NodeTools.PathOfAsync("action-validator");
        using var process = Process.Start(new ProcessStartInfo(validator, [workflow])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = LocalPaths.RepositoryRoot(),
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static IEnumerable<string> Files(string pattern) =>
        Directory.EnumerateFiles(Examples, pattern, SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Examples, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> WorkflowFiles() => Files("*.yml").Where(f => f.StartsWith("github-actions/", StringComparison.Ordinal));

    private static string Read(string example) => File.ReadAllText(Path.Combine(Examples, example));

    // The example without its comment lines: what runs.
    private static string Code(string example) =>
        string.Join('\n', Read(example).Split('\n').Where(l => !l.TrimStart().StartsWith('#')));

    // A shell command line as its words, quotes and line continuations (a backslash ending a line) removed: no word of
    // these examples needs more than that.
    private static List<string> Tokens(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        foreach (var c in line.Replace("\\\n", " ", StringComparison.Ordinal))
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }
        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    [GeneratedRegex(@"^\s*(?:-\s+)?uses:\s*(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"^(?<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@(?<sha>[0-9a-f]{40}) # (?<tag>v(?<major>\d+)\.\d+\.\d+)$")]
    private static partial Regex PinnedUse();

    [GeneratedRegex(@"^\s*-\s+task:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex TaskLine();

    [GeneratedRegex(@"\bsecrets\.(\w+)")]
    private static partial Regex SecretReference();

    [GeneratedRegex(@"dotnet tool install --global FanOut\.Cli --version (?<version>""[^""]+"") --add-source (?<source>""[^""]+"")")]
    private static partial Regex ToolInstall();

    // `fanout <command> …` up to a redirection or the end of its line, with the lines that go on with an option (a
    // folded block, or a line ending in a backslash).
    [GeneratedRegex(@"\bfanout (?:upload|run|status|cancel)\b[^>\n]*(?:\n\s+--[^>\n]*)*")]
    private static partial Regex FanoutCommand();
}
