using System.Text.RegularExpressions;
using FanOut.Cli.Upload;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Deploy;

namespace FanOut.Tests.Examples;

/// <summary>What the CLI reads from the environment and what the pipeline examples name are the template's outputs
/// (infra/main.bicep, built to ARM JSON), so that <c>azd env get-values</c> gives a pipeline every one of them.</summary>
public sealed partial class AzdOutputsTests(BuiltTemplate template) : IClassFixture<BuiltTemplate>
{
    // Named by the examples but not the deployment's: the sign-in's identifiers, azd's own inputs, the CLI's feed and
    // version, and the key read at run time.
    private static readonly string[] NotOutputs =
    [
        "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_ENV_NAME", "AZURE_LOCATION",
        "FANOUT_CLI_FEED", "FANOUT_CLI_VERSION", "FANOUT_KEY",
    ];

    [Fact]
    public void TheVariablesTheCliReads_AreOutputsOfTheTemplate()
    {
        var outputs = Outputs();

        Assert.All(UploadDestination.AzdOutputs.Append("FANOUT_URL"), name => Assert.Contains(name, outputs));
        var endpoint = template.Module.GetProperty("properties").GetProperty("template").GetProperty("outputs").GetProperty("blobEndpoint");
        Assert.Contains(".primaryEndpoints.blob", endpoint.GetProperty("value").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDeploymentsNamesInTheExamples_AreOutputsOfTheTemplate()
    {
        var outputs = Outputs();
        var examples = Path.Combine(LocalPaths.RepositoryRoot(), "examples");
        var named = Directory.EnumerateFiles(examples, "*.yml", SearchOption.AllDirectories)
            .SelectMany(file => DeploymentName().Matches(File.ReadAllText(file)).Select(m => m.Groups["name"].Value))
            .Except(NotOutputs)
            .ToHashSet();

        Assert.Superset(new HashSet<string> { "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "FANOUT_URL", "AZURE_STORAGE_BLOB_ENDPOINT", "FANOUT_INPUT_CONTAINER" }, named);
        Assert.All(named, name => Assert.Contains(name, outputs));
    }

    private HashSet<string> Outputs() =>
        template.Main.GetProperty("outputs").EnumerateObject().Select(o => o.Name).ToHashSet();

    // $NAME, $(NAME), vars.NAME or `azd env get-value NAME`, for names that start AZURE_ or FANOUT_.
    [GeneratedRegex(@"(?:\$\(?|vars\.|azd env get-value )(?<name>(?:AZURE|FANOUT)_[A-Z_]+)\b")]
    private static partial Regex DeploymentName();
}
