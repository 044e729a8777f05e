using System.Text.Json;
using System.Text.RegularExpressions;
using FanOut.Core.Configuration;

namespace FanOut.Tests.Deploy;

/// <summary>Reads the ARM JSON that infra/main.bicep builds to and checks what the deployment promises: Flex
/// Consumption with its settings from parameters, the app's own identity with the narrowest roles, the jobs' lifecycle
/// rule, HTTPS only, no storage key or connection string, no host or function key, and the keys as Key Vault
/// references.</summary>
public sealed partial class InfraTemplateTests(BuiltTemplate template) : IClassFixture<BuiltTemplate>
{
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    [Fact]
    public void BicepBuildAndLint_ReportNoErrorAndNoWarning()
    {
        Assert.Equal(0, template.Build.ExitCode);
        Assert.Equal("", template.Build.Stderr.Trim());
        Assert.Equal(0, template.Lint.ExitCode);
        Assert.Equal("", (template.Lint.Stdout + template.Lint.Stderr).Trim());
    }

    [Fact]
    public void BicepConfig_TurnsOnUseRecentApiVersions_WhichReportsAnOldVersion()
    {
        var config = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(template.Root, "infra", "bicepconfig.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }).RootElement;
        var rule = config.GetProperty("analyzers").GetProperty("core").GetProperty("rules").GetProperty("use-recent-api-versions");
        Assert.Contains(rule.GetProperty("level").GetString(), new[] { "warning", "error" });

        // The same configuration next to a template of 2021's API version: the rule is on, and this CLI knows it.
        var folder = Directory.CreateTempSubdirectory("fanout-bicep-").FullName;
        try
        {
            File.Copy(Path.Combine(template.Root, "infra", "bicepconfig.json"), Path.Combine(folder, "bicepconfig.json"));
            var old = Path.Combine(folder, "old.bicep");
            File.WriteAllText(old, """
                resource storage 'Microsoft.Storage/storageAccounts@2021-09-01' = {
                  name: 'stold${uniqueString(resourceGroup().id)}'
                  location: resourceGroup().location
                  kind: 'StorageV2'
                  sku: { name: 'Standard_LRS' }
                }
                """);
            var lint = BuiltTemplate.Run(template.BicepPath, "lint", old);
            Assert.Contains("use-recent-api-versions", lint.Stdout + lint.Stderr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void FunctionApp_RunsOnFlexConsumption_WithTheProjectsDotnetVersion()
    {
        var plan = template.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());

        var app = template.Single("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", app.GetProperty("kind").GetString());
        Assert.Contains("Microsoft.Web/serverfarms", app.GetProperty("properties").GetProperty("serverFarmId").GetString());
        var config = app.GetProperty("properties").GetProperty("functionAppConfig");
        var runtime = config.GetProperty("runtime");
        Assert.Equal("dotnet-isolated", runtime.GetProperty("name").GetString());
        var framework = TargetFrameworkRegex().Match(template.TargetFramework);
        Assert.True(framework.Success, "Directory.Build.props names no netX.Y target framework.");
        Assert.Equal(framework.Groups[1].Value, runtime.GetProperty("version").GetString());

        var deployment = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal("blobContainer", deployment.GetProperty("type").GetString());
        Assert.Equal("SystemAssignedIdentity", deployment.GetProperty("authentication").GetProperty("type").GetString());
        Assert.Contains("primaryEndpoints.blob", deployment.GetProperty("value").GetString());
    }

    [Fact]
    public void FunctionApp_HasASystemAssignedIdentity_AndServesHttpsOnly()
    {
        var app = template.Single("Microsoft.Web/sites");
        Assert.Equal("SystemAssigned", app.GetProperty("identity").GetProperty("type").GetString());
        Assert.True(app.GetProperty("properties").GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", app.GetProperty("properties").GetProperty("siteConfig").GetProperty("minTlsVersion").GetString());
    }

    [Fact]
    public void SelfBaseUrl_IsTheAppsOwnHttpsUrl()
    {
        var url = Setting("FanOut__SelfBaseUrl");
        Assert.StartsWith("[format('https://{0}', reference(resourceId('Microsoft.Web/sites'", url);
        Assert.EndsWith(".defaultHostName)]", url);
    }

    [Fact]
    public void RoleAssignments_GiveTheAppsIdentityOnlyTheNarrowRoles()
    {
        var appRoles = template.OfType("Microsoft.Authorization/roleAssignments")
            .Where(r => r.GetProperty("properties").GetProperty("principalId").GetString()!
                .EndsWith(".identity.principalId]", StringComparison.Ordinal))
            .ToList();
        Assert.All(appRoles, r =>
        {
            Assert.Contains("resourceId('Microsoft.Web/sites'", r.GetProperty("properties").GetProperty("principalId").GetString());
            Assert.Equal("ServicePrincipal", r.GetProperty("properties").GetProperty("principalType").GetString());
        });
        var granted = appRoles.Select(r => (Scope: ScopeType(r), Role: RoleId(r))).OrderBy(g => g.Scope).ToList();
        Assert.Equal(
            new[]
            {
                (Scope: "Microsoft.Insights/components", Role: MonitoringMetricsPublisher),
                (Scope: "Microsoft.KeyVault/vaults", Role: KeyVaultSecretsUser),
                (Scope: "Microsoft.Storage/storageAccounts", Role: StorageBlobDataOwner),
            },
            granted);

        // Besides: the uploader's and the deployer's (one per key it provisions), all optional.
        var others = template.OfType("Microsoft.Authorization/roleAssignments").Except(appRoles)
            .Select(r => r.GetProperty("properties").GetProperty("principalId").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["[parameters('deployerPrincipalId')]", "[parameters('deployerPrincipalId')]", "[parameters('deployerPrincipalId')]", "[parameters('uploaderPrincipalId')]"],
            others);

        // The uploader may write blobs to the input container and nowhere else.
        var uploader = RoleOf("uploaderPrincipalId");
        Assert.Equal("Microsoft.Storage/storageAccounts/blobServices/containers", ScopeType(uploader));
        Assert.Contains("variables('inputContainerName')", uploader.GetProperty("scope").GetString());
        Assert.Equal(StorageBlobDataContributor, RoleId(uploader));
        Assert.Equal("[not(empty(parameters('uploaderPrincipalId')))]", uploader.GetProperty("condition").GetString());
    }

    [Fact]
    public void Deployer_MayReadTheThreeKeysItProvisions_AndNoOtherSecretOfTheVault()
    {
        var deployer = template.OfType("Microsoft.Authorization/roleAssignments")
            .Where(r => r.GetProperty("properties").GetProperty("principalId").GetString() == "[parameters('deployerPrincipalId')]")
            .ToList();

        // Each scoped to one secret of the app's vault: the self-call key (the postdeploy hook sets it as the host key)
        // and the two signing keys (the preprovision hook hands all three back to the next provision). Never the
        // previous signing key, never the vault.
        Assert.Equal(
            ["fanout-notify-signing-key", "fanout-self-call-key", "fanout-signing-key"],
            deployer.Select(r =>
            {
                Assert.Equal(KeyVaultSecretsUser, RoleId(r));
                Assert.Equal("[not(empty(parameters('deployerPrincipalId')))]", r.GetProperty("condition").GetString());
                Assert.Equal("Microsoft.KeyVault/vaults/secrets", ScopeType(r));
                var scope = Regex.Match(r.GetProperty("scope").GetString()!,
                    @"^\[resourceId\('Microsoft\.KeyVault/vaults/secrets', format\('kv-\{0\}', parameters\('resourceToken'\)\), '([\w-]+)'\)\]$");
                Assert.True(scope.Success, r.GetProperty("scope").GetString());
                return scope.Groups[1].Value;
            }).Order(StringComparer.Ordinal));
        Assert.Contains("[format('kv-{0}', parameters('resourceToken'))]",
            template.Single("Microsoft.KeyVault/vaults").GetProperty("name").GetString());

        // azd passes the signed-in principal, as for the uploader.
        Assert.Equal("[parameters('deployerPrincipalId')]",
            template.Module.GetProperty("properties").GetProperty("parameters").GetProperty("deployerPrincipalId").GetProperty("value").GetString());
        Assert.Equal("${AZURE_PRINCIPAL_ID}", ParameterFileValue("deployerPrincipalId"));
    }

    [Fact]
    public void Keys_AreParametersTheEnvironmentCanSet_SoThePreprovisionHookCanKeepThem()
    {
        // Empty, azd generates them (their `generate` metadata); set, the provision writes the value given.
        Assert.Equal("${FANOUT_SIGNING_KEY}", ParameterFileValue("signingKey"));
        Assert.Equal("${FANOUT_NOTIFY_SIGNING_KEY}", ParameterFileValue("notifySigningKey"));
        Assert.Equal("${FANOUT_SELF_CALL_KEY}", ParameterFileValue("selfCallKey"));
        var azure = File.ReadAllText(Path.Combine(template.Root, "azure.yaml"));
        Assert.Matches(@"preprovision:\s+shell: sh\s+run: \./infra/hooks/preprovision\.sh", azure);
    }

    [Fact]
    public void Storage_AcceptsNoSharedKey_NorPlainHttp_NorOldTls()
    {
        var storage = template.Single("Microsoft.Storage/storageAccounts").GetProperty("properties");
        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.True(storage.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());

        var containers = template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => Regex.Match(c.GetProperty("name").GetString()!, @"variables\('(\w+)'\)\)\]$").Groups[1].Value)
            .Select(template.Variable)
            .ToList();
        Assert.Contains("fanout", containers);
        Assert.Contains("inputs", containers);
        Assert.Equal("fanout", template.Variable(VariableName(Setting("FanOut__Storage__Container"))));
        Assert.Equal("inputs", template.Variable(VariableName(Setting("FanOut__Storage__InputContainers"))));
    }

    [Fact]
    public void AppSettings_SetTheWatchdogSchedule_WhichItsTimerTriggerNeeds_ToTheAppsDefault()
    {
        Assert.Equal(FanOut.Core.Configuration.WatchdogOptions.DefaultSchedule, Setting("FanOut__Watchdog__Schedule"));
    }

    [Theory]
    [InlineData("perInstanceConcurrency", PlatformOptions.DefaultPerInstanceConcurrency)]
    [InlineData("maximumInstanceCount", PlatformOptions.DefaultMaximumInstanceCount)]
    [InlineData("instanceMemoryMB", 2048)]
    [InlineData("alwaysReady", 0)]
    public void PlatformParameters_HaveFlexsAndLocalHostsDefaults_AndReachResourcesBicep(string parameter, int expected)
    {
        var main = template.Main.GetProperty("parameters").GetProperty(parameter);
        Assert.Equal("int", main.GetProperty("type").GetString());
        Assert.Equal(expected, main.GetProperty("defaultValue").GetInt32());
        Assert.Equal($"[parameters('{parameter}')]",
            template.Module.GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value").GetString());
        Assert.Equal("int", template.Resources.GetProperty("parameters").GetProperty(parameter).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("perInstanceConcurrency", 1, 1000)]
    [InlineData("maximumInstanceCount", 1, 1000)]
    [InlineData("alwaysReady", 0, 1000)]
    [InlineData("jobRetentionDays", 1, 3650)]
    public void PlatformParameters_AreBoundedLikeThePlatform(string parameter, int min, int max)
    {
        var main = template.Main.GetProperty("parameters").GetProperty(parameter);
        Assert.Equal(min, main.GetProperty("minValue").GetInt32());
        Assert.Equal(max, main.GetProperty("maxValue").GetInt32());
    }

    [Fact]
    public void InstanceMemory_IsOneOfFlexsSizes()
    {
        var allowed = template.Main.GetProperty("parameters").GetProperty("instanceMemoryMB").GetProperty("allowedValues")
            .EnumerateArray().Select(v => v.GetInt32());
        Assert.Equal([512, 2048, 4096], allowed);
    }

    [Theory]
    [InlineData("instanceMemoryMB")]
    [InlineData("maximumInstanceCount")]
    [InlineData("perInstanceConcurrency")]
    [InlineData("alwaysReady")]
    [InlineData("jobRetentionDays")]
    public void ParametersFile_MapsEachSetting_ToAnAzdVariable_WithTheTemplatesDefault(string parameter)
    {
        // `azd env set FANOUT_… n` changes it; unset, the same default as main.bicep's (azd accepts "16" for an int).
        var match = Regex.Match(ParameterFileValue(parameter), @"^\$\{(FANOUT_[A-Z_]+)=(\d+)\}$");
        Assert.True(match.Success, $"{parameter} is not mapped to ${{FANOUT_…=default}}: {ParameterFileValue(parameter)}");
        Assert.Equal(template.Main.GetProperty("parameters").GetProperty(parameter).GetProperty("defaultValue").GetInt32(),
            int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Location_IsLimitedToTheRegionsWithFlexConsumption()
    {
        var location = template.Main.GetProperty("parameters").GetProperty("location");
        var allowed = location.GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()!).ToList();
        Assert.True(allowed.Count >= 10, $"Only {allowed.Count} regions allowed.");
        Assert.All(allowed, region => Assert.Matches("^[a-z0-9]+$", region));
        Assert.Equal(allowed.Count, allowed.Distinct().Count());
        Assert.Contains("eastus", allowed);
        Assert.Contains("westeurope", allowed);
        Assert.DoesNotContain("eastus2euap", allowed); // a canary region, not for everyone's subscriptions
        Assert.Equal("location", location.GetProperty("metadata").GetProperty("azd").GetProperty("type").GetString());
        Assert.Equal("${AZURE_LOCATION}", ParameterFileValue("location"));
    }

    [Fact]
    public void ScaleAndConcurrency_AndThePlatformSettings_ComeFromTheSameParameters()
    {
        var scale = template.Single("Microsoft.Web/sites").GetProperty("properties").GetProperty("functionAppConfig").GetProperty("scaleAndConcurrency");
        Assert.Equal("[parameters('instanceMemoryMB')]", scale.GetProperty("instanceMemoryMB").GetString());
        Assert.Equal("[parameters('maximumInstanceCount')]", scale.GetProperty("maximumInstanceCount").GetString());
        Assert.Equal("[parameters('perInstanceConcurrency')]",
            scale.GetProperty("triggers").GetProperty("http").GetProperty("perInstanceConcurrency").GetString());

        // Always-ready instances of the HTTP group when the parameter is above 0, none otherwise.
        Assert.Equal(
            "[if(greater(parameters('alwaysReady'), 0), createArray(createObject('name', 'http', 'instanceCount', parameters('alwaysReady'))), createArray())]",
            scale.GetProperty("alwaysReady").GetString());

        // The app reads its platform budget (FanOut:Platform, PlatformOptions) from the numbers Flex applies.
        Assert.Equal("[string(parameters('perInstanceConcurrency'))]", Setting("FanOut__Platform__PerInstanceConcurrency"));
        Assert.Equal("[string(parameters('maximumInstanceCount'))]", Setting("FanOut__Platform__MaximumInstanceCount"));
    }

    [Fact]
    public void LifecycleRule_DeletesTheJobsBlobs_AfterTheRetentionParametersDays()
    {
        var policy = template.Single("Microsoft.Storage/storageAccounts/managementPolicies");
        var rule = Assert.Single(policy.GetProperty("properties").GetProperty("policy").GetProperty("rules").EnumerateArray());
        Assert.True(rule.GetProperty("enabled").GetBoolean());
        Assert.Equal("Lifecycle", rule.GetProperty("type").GetString());
        var definition = rule.GetProperty("definition");
        var prefixes = definition.GetProperty("filters").GetProperty("prefixMatch").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Equal(new[] { "fanout/jobs/", "fanout/index/" }, prefixes);
        var blobTypes = definition.GetProperty("filters").GetProperty("blobTypes").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains("blockBlob", blobTypes);
        Assert.Contains("appendBlob", blobTypes); // the progress logs
        var days = definition.GetProperty("actions").GetProperty("baseBlob").GetProperty("delete").GetProperty("daysAfterModificationGreaterThan");
        Assert.Equal("[parameters('jobRetentionDays')]", days.GetString());

        // ... and that parameter is the operator's: main.bicep's own, passed through as it is.
        Assert.Equal("int", template.Resources.GetProperty("parameters").GetProperty("jobRetentionDays").GetProperty("type").GetString());
        Assert.Equal("[parameters('jobRetentionDays')]",
            template.Module.GetProperty("properties").GetProperty("parameters").GetProperty("jobRetentionDays").GetProperty("value").GetString());
        var main = template.Main.GetProperty("parameters").GetProperty("jobRetentionDays");
        Assert.Equal("int", main.GetProperty("type").GetString());
        Assert.True(main.GetProperty("defaultValue").GetInt32() > 0);
    }

    [Fact]
    public void Deployment_HoldsNoStorageKeyOrConnectionString()
    {
        foreach (var forbidden in new[] { "listKeys", "listAccountSas", "listServiceSas", "AccountKey=", "SharedAccessSignature=", "DefaultEndpointsProtocol=" })
        {
            Assert.DoesNotContain(forbidden, template.Text, StringComparison.OrdinalIgnoreCase);
        }

        var settings = Settings().ToDictionary(s => s.Name, s => s.Value);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain("FanOut__Storage__ConnectionString", settings.Keys);
        // Application Insights' connection string names an ingestion endpoint, not a secret; it ingests only with Entra ID.
        Assert.Equal(["APPLICATIONINSIGHTS_CONNECTION_STRING"],
            settings.Keys.Where(k => k.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) || k.Contains("CONNECTION_STRING", StringComparison.Ordinal)));
        Assert.Equal("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.True(template.Single("Microsoft.Insights/components").GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());

        var initial = template.Single("Microsoft.Web/sites").GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings")
            .EnumerateArray().Select(s => s.GetProperty("name").GetString()!);
        Assert.Equal(["AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential"], initial);

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.StartsWith("[format('st{0}'", settings["AzureWebJobsStorage__accountName"]);
        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Storage/storageAccounts'.*\)\.primaryEndpoints\.blob\]$", settings["FanOut__Storage__ServiceUri"]);
    }

    [Theory]
    [InlineData("FanOut__SigningKey", "fanout-signing-key", "signingKey")]
    [InlineData("FanOut__Notify__SigningKey", "fanout-notify-signing-key", "notifySigningKey")]
    [InlineData("FanOut__FunctionKey", "fanout-self-call-key", "selfCallKey")]
    public void Keys_AreKeyVaultReferences_ToSecretsFromSecureParameters(string setting, string secret, string parameter)
    {
        var value = Setting(setting);
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})', reference(resourceId('Microsoft.KeyVault/vaults/secrets'", value);
        Assert.Contains($"'{secret}')", value);

        var stored = Assert.Single(template.OfType("Microsoft.KeyVault/vaults/secrets"), s => s.GetProperty("name").GetString()!.Contains($"'{secret}')"));
        Assert.Equal($"[parameters('{parameter}')]", stored.GetProperty("properties").GetProperty("value").GetString());
        Assert.Equal("securestring", template.Resources.GetProperty("parameters").GetProperty(parameter).GetProperty("type").GetString());
        Assert.Equal("securestring", template.Main.GetProperty("parameters").GetProperty(parameter).GetProperty("type").GetString());

        var vault = template.Single("Microsoft.KeyVault/vaults").GetProperty("properties");
        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
    }

    [Fact]
    public void PreviousSigningKey_IsAKeyVaultReference_OnlyDuringARotation()
    {
        Assert.Equal(
            "[if(empty(parameters('previousSigningKey')), '', format('@Microsoft.KeyVault(SecretUri={0})', reference(resourceId('Microsoft.KeyVault/vaults/secrets', format('kv-{0}', parameters('resourceToken')), 'fanout-previous-signing-key'), '2026-05-15').secretUri))]",
            Setting("FanOut__PreviousSigningKey"));
    }

    [Fact]
    public void Template_CreatesNoHostOrFunctionKey_AndListsNoKey()
    {
        // On Flex the host's key API fails until code is deployed, so a key here stopped `azd up` before its deploy;
        // the postdeploy hook sets the host key instead (PostdeployHookTests).
        var types = template.Main.GetProperty("resources").EnumerateArray()
            .Concat(template.Resources.GetProperty("resources").EnumerateArray())
            .Select(r => r.GetProperty("type").GetString()!)
            .ToList();
        Assert.DoesNotContain(types, t => t.StartsWith("Microsoft.Web/sites/host", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(types, t => t.Contains("keys", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("host/functionKeys", template.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listKeys(", template.Text, StringComparison.OrdinalIgnoreCase);

        // The app still sends the vault's self-call key as its function key.
        Assert.Contains("'fanout-self-call-key')", Setting("FanOut__FunctionKey"));
    }

    [Fact]
    public void AzureYaml_DeploysFanOutFunctions_ToTheTaggedFunctionApp()
    {
        Assert.Matches(@"(?m)^  fanout:\n    project: \./FanOut\.Functions\n    language: dotnet\n    host: function$", template.AzureYaml.ReplaceLineEndings("\n"));
        Assert.Contains("createObject('azd-service-name', 'fanout')", template.Single("Microsoft.Web/sites").GetProperty("tags").GetString());
    }

    private IEnumerable<(string Name, string Value)> Settings() =>
        template.Single("Microsoft.Web/sites/config").GetProperty("properties").EnumerateObject()
            .Select(p => (p.Name, p.Value.GetString()!));

    private string Setting(string name) => Assert.Single(Settings(), s => s.Name == name).Value;

    private JsonElement RoleOf(string principalParameter) =>
        Assert.Single(template.OfType("Microsoft.Authorization/roleAssignments"),
            r => r.GetProperty("properties").GetProperty("principalId").GetString() == $"[parameters('{principalParameter}')]");

    private string ParameterFileValue(string parameter) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(template.Root, "infra", "main.parameters.json"))).RootElement
            .GetProperty("parameters").GetProperty(parameter).GetProperty("value").GetString()!;

    private string RoleId(JsonElement assignment)
    {
        var id = assignment.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;
        var match = Regex.Match(id, @"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', variables\('roles'\)\.(\w+)\)\]$");
        Assert.True(match.Success, $"Unexpected role definition id: {id}");
        return template.Variable("roles." + match.Groups[1].Value);
    }

    private static string ScopeType(JsonElement assignment) =>
        Regex.Match(assignment.GetProperty("scope").GetString()!, @"^\[resourceId\('([^']+)'").Groups[1].Value;

    private static string VariableName(string expression) => Regex.Match(expression, @"^\[variables\('(\w+)'\)\]$").Groups[1].Value;

    [GeneratedRegex(@"<TargetFramework>net(\d+\.\d+)</TargetFramework>")]
    private static partial Regex TargetFrameworkRegex();
}
