using System.Diagnostics;
using System.Text.Json;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Deploy;

/// <summary>infra/main.bicep built to ARM JSON once, by the Bicep CLI that restore brought from NuGet
/// (build/bicep/Bicep.targets writes its path next to the tests), and every infra/*.bicep linted.</summary>
public sealed class BuiltTemplate
{
    public BuiltTemplate()
    {
        var root = LocalPaths.RepositoryRoot();
        var bicep = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bicep.path")).Trim();
        var main = Path.Combine(root, "infra", "main.bicep");
        Build = Run(bicep, "build", main, "--stdout");
        // Every file of infra/, as .ci/run lints them: each with infra/bicepconfig.json, the nearest configuration.
        Lint = Directory.GetFiles(Path.Combine(root, "infra"), "*.bicep").Order(StringComparer.Ordinal)
            .Select(file => Run(bicep, "lint", file))
            .Aggregate((a, b) => new CliRun(Math.Max(a.ExitCode, b.ExitCode), a.Stdout + b.Stdout, a.Stderr + b.Stderr));
        BicepPath = bicep;
        Root = root;
        Text = Build.Stdout;
        Main = JsonDocument.Parse(Text).RootElement;
        Module = Main.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments");
        Resources = Module.GetProperty("properties").GetProperty("template");
        AzureYaml = File.ReadAllText(Path.Combine(root, "azure.yaml"));
        TargetFramework = File.ReadAllText(Path.Combine(root, "Directory.Build.props"));
    }

    public CliRun Build { get; }
    public CliRun Lint { get; }

    /// <summary>The Bicep CLI.</summary>
    public string BicepPath { get; }

    /// <summary>The repository's root folder.</summary>
    public string Root { get; }

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

    /// <summary>Runs a program to its end and keeps what it wrote.</summary>
    public static CliRun Run(string file, params string[] args)
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
