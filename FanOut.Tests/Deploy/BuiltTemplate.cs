using System.Diagnostics;
using System.Text.Json;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Deploy;

/// <summary>infra/main.bicep built to ARM JSON once, by the Bicep CLI that restore brought from NuGet
/// (build/bicep/Bicep.targets writes its path next to the tests), and linted.</summary>
public sealed class BuiltTemplate
{
    public BuiltTemplate()
    {
        var root = LocalPaths.RepositoryRoot();
        var bicep = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bicep.path")).Trim();
        var main = Path.Combine(root, "infra", "main.bicep");
        Build = Run(bicep, "build", main, "--stdout");
        Lint = Run(bicep, "lint", main);
        Text = Build.Stdout;
        Main = JsonDocument.Parse(Text).RootElement;
        Module = Main.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments");
        Resources = Module.GetProperty("properties").GetProperty("template");
        AzureYaml = File.ReadAllText(Path.Combine(root, "azure.yaml"));
        TargetFramework = File.ReadAllText(Path.Combine(root, "Directory.Build.props"));
    }

    public CliRun Build { get; }
    public CliRun Lint { get; }

    /// <summary>The whole ARM JSON, as text.</summary>
    public string Text { get; }

    /// <summary>The subscription-level template: its parameters and the resource group's deployment.</summary>
    public JsonElement Main { get; }

    /// <summary>The deployment of resources.bicep into the resource group.</summary>
    public JsonElement Module { get; }

    /// <summary>resources.bicep's template: the resources themselves.</summary>
    public JsonElement Resources { get; }

    public string AzureYaml { get; }
    public string TargetFramework { get; }

    public IEnumerable<JsonElement> OfType(string type) =>
        Resources.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("type").GetString() == type);

    public JsonElement Single(string type) => Assert.Single(OfType(type));

    /// <summary>A value of resources.bicep's <c>variables</c>, e.g. <c>roles.keyVaultSecretsUser</c>.</summary>
    public string Variable(string path) =>
        path.Split('.').Aggregate(Resources.GetProperty("variables"), (e, name) => e.GetProperty(name)).GetString()!;

    private static CliRun Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new CliRun(process.ExitCode, stdout, stderr.Result);
    }
}

public sealed record CliRun(int ExitCode, string Stdout, string Stderr);
