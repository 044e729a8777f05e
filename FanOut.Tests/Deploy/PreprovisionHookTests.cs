namespace FanOut.Tests.Deploy;

/// <summary>Runs infra/hooks/preprovision.sh, azd's preprovision hook, as azd does, against a fake Azure CLI and a fake
/// azd first on PATH: az answers for one subscription, whose resource group may hold the app's vault with its three
/// keys; azd records every `env set`. What it shows: a provision from a blank azd environment (a CI runner) gets the
/// keys the vault holds, so it writes the same ones; a first provision and a key the environment sets are left alone;
/// a key it may not read stops the provision; no value is ever printed.</summary>
public sealed class PreprovisionHookTests : IDisposable
{
    private static readonly Dictionary<string, string> Vault = new()
    {
        ["fanout-signing-key"] = "SigningKey0fFortyEightLettersAndDigitsAaaaaaaaaa1",
        ["fanout-notify-signing-key"] = "NotifyKey0fFortyEightLettersAndDigitsBbbbbbbbbb2",
        ["fanout-self-call-key"] = "SelfCallKey0fFortyEightLettersAndDigitsCccccccc3",
    };

    private const string FakeAz = """
        #!/usr/bin/env bash
        set -euo pipefail
        state=$(dirname "$0")
        printf '%s\n' "$*" >> "$state/az.log"
        option() {
          local args=("${ARGS[@]}") i
          for ((i = 0; i + 1 < ${#args[@]}; i++)); do
            if [ "${args[i]}" = "$1" ]; then printf '%s' "${args[i + 1]}"; return 0; fi
          done
          return 1
        }
        ARGS=("$@")
        [ "$(option --subscription)" = sub-1 ] || { echo "ERROR: (SubscriptionNotFound)" >&2; exit 1; }
        case "$1 $2 ${3:-}" in
          "account show "*) exit 0 ;;
          "group exists "*)
            [ "$(option --name)" = rg-fanout-ci ] || { echo "fake az: unexpected group $(option --name)" >&2; exit 2; }
            if [ -e "$state/group" ]; then echo true; else echo false; fi ;;
          "keyvault list "*)
            [ "$(option --resource-group)" = rg-fanout-ci ] && [ "$(option --query)" = '[0].name' ] || { echo "fake az: unexpected list" >&2; exit 2; }
            if [ -d "$state/vault" ]; then echo kv-1; fi ;;
          "keyvault secret show")
            [ "$(option --vault-name)" = kv-1 ] && [ "$(option --query)" = value ] && [ "$(option --output)" = tsv ] || { echo "fake az: unexpected show" >&2; exit 2; }
            name=$(option --name)
            [ -e "$state/forbidden-$name" ] && { echo "ERROR: (Forbidden) Caller is not authorized to perform action on resource." >&2; exit 1; }
            [ -e "$state/vault/$name" ] || { echo "ERROR: (SecretNotFound)" >&2; exit 1; }
            cat "$state/vault/$name"; echo ;;
          *) echo "fake az: unexpected call: $*" >&2; exit 2 ;;
        esac
        """;

    private const string FakeAzd = """
        #!/usr/bin/env bash
        set -euo pipefail
        state=$(dirname "$0")
        [ "$1 $2" = "env set" ] && [ $# -eq 4 ] || { echo "fake azd: unexpected call: $*" >&2; exit 2; }
        printf '%s=%s\n' "$3" "$4" >> "$state/azd-env"
        """;

    private readonly string _bin = Directory.CreateTempSubdirectory("fanout-preprovision-").FullName;

    public PreprovisionHookTests()
    {
        foreach (var (name, text) in new[] { ("az", FakeAz), ("azd", FakeAzd) })
        {
            var path = Path.Combine(_bin, name);
            File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
            if (!OperatingSystem.IsWindows()) // the hook is a bash script, run as azd runs it on Linux and macOS
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    [Fact]
    public void BlankEnvironment_WithTheVaultInPlace_GetsTheVaultsKeys_SoTheProvisionWritesTheSameOnes()
    {
        ExistingDeployment();

        var run = RunHook();

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Equal(
            [
                $"FANOUT_SIGNING_KEY={Vault["fanout-signing-key"]}",
                $"FANOUT_NOTIFY_SIGNING_KEY={Vault["fanout-notify-signing-key"]}",
                $"FANOUT_SELF_CALL_KEY={Vault["fanout-self-call-key"]}",
            ],
            EnvSets());
        AssertNoKeyPrinted(run);
    }

    [Fact]
    public void FirstProvision_NoResourceGroup_LeavesTheKeysToAzd()
    {
        var run = RunHook();

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Empty(EnvSets());
        Assert.Contains("first provision", run.Stdout);
        Assert.DoesNotContain(AzCalls(), c => c.StartsWith("keyvault", StringComparison.Ordinal));
    }

    [Fact]
    public void ResourceGroupWithoutVault_LeavesTheKeysToAzd()
    {
        File.WriteAllText(Path.Combine(_bin, "group"), "");

        var run = RunHook();

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Empty(EnvSets());
        Assert.DoesNotContain(AzCalls(), c => c.StartsWith("keyvault secret", StringComparison.Ordinal));
    }

    [Fact]
    public void KeyTheEnvironmentSets_Wins_ThatIsHowARotationGivesANewKey()
    {
        ExistingDeployment();

        var run = RunHook(environment => environment["FANOUT_SIGNING_KEY"] = "ANewKeyForARotation0fFortyEightLettersDddddddd4");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.DoesNotContain(EnvSets(), set => set.StartsWith("FANOUT_SIGNING_KEY=", StringComparison.Ordinal));
        Assert.Equal(2, EnvSets().Length);
        Assert.DoesNotContain(AzCalls(), c => c.Contains("--name fanout-signing-key", StringComparison.Ordinal));
        Assert.DoesNotContain("ANewKeyForARotation", run.Stdout + run.Stderr);
        AssertNoKeyPrinted(run);
    }

    [Fact]
    public void KeyThePrincipalMayNotRead_StopsTheProvision_NamingTheRole()
    {
        ExistingDeployment();
        File.WriteAllText(Path.Combine(_bin, "forbidden-fanout-notify-signing-key"), "");

        var run = RunHook();

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Key Vault Secrets User", run.Stderr);
        Assert.Contains("fanout-notify-signing-key", run.Stderr);
        Assert.DoesNotContain(EnvSets(), set => set.StartsWith("FANOUT_NOTIFY_SIGNING_KEY=", StringComparison.Ordinal));
        AssertNoKeyPrinted(run);
    }

    [Fact]
    public void AzNotSignedIn_StopsTheProvision_SayingSo()
    {
        var run = RunHook(environment => environment["AZURE_SUBSCRIPTION_ID"] = "sub-2");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("az login", run.Stderr);
        Assert.Empty(EnvSets());
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);

    private void ExistingDeployment()
    {
        File.WriteAllText(Path.Combine(_bin, "group"), "");
        var vault = Directory.CreateDirectory(Path.Combine(_bin, "vault")).FullName;
        foreach (var (name, value) in Vault)
        {
            File.WriteAllText(Path.Combine(vault, name), value);
        }
    }

    private void AssertNoKeyPrinted(CliRun run)
    {
        foreach (var value in Vault.Values)
        {
            Assert.DoesNotContain(value, run.Stdout + run.Stderr);
        }
    }

    private string[] EnvSets() => AzdHook.Lines(_bin, "azd-env");

    private string[] AzCalls() => AzdHook.Lines(_bin, "az.log");

    /// <summary>Runs the hook in a blank environment (the name and subscription only; no key variable, whatever the shell has).</summary>
    private CliRun RunHook(Action<IDictionary<string, string?>>? adjust = null) =>
        AzdHook.Run("preprovision.sh", _bin, new Dictionary<string, string> { ["AZURE_ENV_NAME"] = "fanout-ci", ["AZURE_SUBSCRIPTION_ID"] = "sub-1" },
            ["FANOUT_SIGNING_KEY", "FANOUT_NOTIFY_SIGNING_KEY", "FANOUT_SELF_CALL_KEY"], adjust);
}
