using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using FanOut.Cli;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Cli;

/// <summary>The pipeline examples under examples/: the GitHub workflow passes its schema (action-validator, as CI runs it,
/// which rejects a broken copy), both call only the CLI and the standard GitHub and Azure actions and tasks, and every
/// <c>fanout</c> command in them parses.</summary>
public sealed partial class PipelineExamplesTests
{
    private static readonly string Root = LocalPaths.RepositoryRoot();
    private static readonly string Workflow = Path.Combine(Root, "examples", "github-actions", "fanout.yml");
    private static readonly string AzurePipeline = Path.Combine(Root, "examples", "azure-pipelines", "azure-pipelines.yml");

    [Fact]
    public async Task GitHubWorkflow_PassesActionValidator()
    {
        var (exitCode, output) = await ValidateAsync(Workflow);

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task GitHubWorkflow_WithAMistake_IsRejectedByActionValidator()
    {
        var broken = Path.Combine(Directory.CreateTempSubdirectory("fanout-workflow-").FullName, "fanout.yml");
        await File.WriteAllTextAsync(broken, (await File.ReadAllTextAsync(Workflow)).Replace("runs-on:", "runs_on:", StringComparison.Ordinal));

        var (exitCode, output) = await ValidateAsync(broken);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("runs_on", output, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(broken)!, recursive: true);
    }

    [Fact]
    public void GitHubWorkflow_UsesOnlyGitHubsAndAzuresOwnActions()
    {
        var uses = UsesLine().Matches(File.ReadAllText(Workflow)).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(["actions/checkout@v4", "actions/setup-dotnet@v4", "azure/login@v2", "actions/upload-artifact@v4"], uses);
    }

    [Fact]
    public void AzurePipeline_UsesOnlyStandardTasks()
    {
        var tasks = TaskLine().Matches(File.ReadAllText(AzurePipeline)).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(["UseDotNet@2", "AzureCLI@2", "PublishPipelineArtifact@1"], tasks);
    }

    [Theory]
    [InlineData("github-actions/fanout.yml")]
    [InlineData("azure-pipelines/azure-pipelines.yml")]
    public void Example_CallsTheAppOnlyThroughTheCli_AndEveryFanoutCommandParses(string example)
    {
        var text = File.ReadAllText(Path.Combine(Root, "examples", example));
        var commands = FanoutCommand().Matches(text).Select(m => Tokens(m.Value)).ToList();

        Assert.Equal(["upload", "run"], commands.Select(c => c[1]));
        Assert.All(commands, command =>
        {
            var parsed = CliApp.Parse(command.Skip(1).ToList());
            Assert.True(parsed.Errors.Count == 0, string.Join(" ", command) + ": " + string.Join("; ", parsed.Errors.Select(e => e.Message)));
        });
        Assert.DoesNotMatch(@"\b(curl|wget|jq|Invoke-RestMethod|Invoke-WebRequest)\b", text);
        var code = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        Assert.DoesNotContain("--key", code, StringComparison.Ordinal); // the key travels in FANOUT_KEY, from a secret
        Assert.DoesNotMatch(@"FANOUT_KEY\s*[:=]\s*[^$\s]", code);
    }

    // node_modules/.bin/action-validator (the version package-lock.json pins; `npm ci` when missing).
    private static async Task<(int ExitCode, string Output)> ValidateAsync(string workflow)
    {
        var validator = await NodeTools.PathOfAsync("action-validator");
        using var process = Process.Start(new ProcessStartInfo(validator, [workflow])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    // A shell command line as its words, quotes removed (no word of these examples needs more than that).
    private static List<string> Tokens(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        foreach (var c in line)
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

    [GeneratedRegex(@"^\s*(?:-\s+)?uses:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"^\s*-\s+task:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex TaskLine();

    // `fanout <command> …` up to a redirection or the end of its line, with the lines that go on with an option (a folded block).
    [GeneratedRegex(@"\bfanout (?:upload|run|status|cancel)\b[^>\n]*(?:\n\s+--[^>\n]*)*")]
    private static partial Regex FanoutCommand();
}
