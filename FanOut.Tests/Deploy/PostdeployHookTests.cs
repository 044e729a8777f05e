using System.Text.RegularExpressions;
using FanOut.LocalHost.Hosting;

namespace FanOut.Tests.Deploy;

/// <summary>Runs infra/hooks/postdeploy.sh, azd's postdeploy hook, as azd does (the script itself, with the environment's
/// values as variables), against a fake Azure CLI first on PATH: a bash script that logs each call and answers like az
/// for one app and one vault, keeping the app's host key in a file.</summary>
public sealed class PostdeployHookTests : IDisposable
{
    private const string Secret = "S3cretSelfCallKey0fFortyEightLettersAndDigits0042";

    // What az does that the hook relies on: `@-` reads an argument from stdin; `--query` with `--output tsv` prints the
    // value alone (the fake knows the one query of each command the hook should send, and refuses any other);
    // `keys set` prints the key it set, value included (as older az versions did) unless `--output none`.
    private const string FakeAz = """
        #!/usr/bin/env bash
        set -euo pipefail
        state=$(dirname "$0")
        args=()
        for arg in "$@"; do
          if [ "$arg" = "@-" ]; then arg=$(cat); fi
          args+=("$arg")
        done
        printf '%s\n' "${args[*]}" >> "$state/calls.log"
        option() {
          local i
          for ((i = 0; i + 1 < ${#args[@]}; i++)); do
            if [ "${args[i]}" = "$1" ]; then printf '%s' "${args[i + 1]}"; return 0; fi
          done
          return 1
        }
        answer() {
          local query output
          query=$(option --query || true)
          output=$(option --output || echo json)
          if [ -z "$query" ]; then [ "$output" = none ] || printf '%s\n' "$1"; return 0; fi
          if [ "$query" != "$3" ] || [ "$output" != tsv ]; then echo "fake az: unexpected --query $query --output $output" >&2; exit 2; fi
          printf '%s\n' "$2"
        }
        [ "$(option --subscription)" = sub-1 ] || { echo "ERROR: (SubscriptionNotFound)" >&2; exit 1; }
        case "${args[0]} ${args[1]} ${args[2]:-}" in
          "account show "*) exit 0 ;;
          "keyvault secret show")
            [ -e "$state/forbidden" ] && { echo "ERROR: (Forbidden) Caller is not authorized to perform action on resource." >&2; exit 1; }
            [ "$(option --vault-name)" = kv-1 ] && [ "$(option --name)" = fanout-self-call-key ] || { echo "ERROR: (SecretNotFound)" >&2; exit 1; }
            value=$(cat "$state/secret")
            answer "{\"id\": \"https://kv-1.vault.azure.net/secrets/fanout-self-call-key/1\", \"name\": \"fanout-self-call-key\", \"value\": \"$value\"}" "$value" value ;;
          "functionapp keys list")
            [ "$(option --resource-group)" = rg-1 ] && [ "$(option --name)" = func-1 ] || { echo "ERROR: (ResourceNotFound)" >&2; exit 1; }
            if [ -e "$state/key" ]; then key=$(cat "$state/key"); self=", \"fanout-self\": \"$key\""; else key=""; self=""; fi
            answer "{\"functionKeys\": {\"default\": \"d3fault\"$self}, \"masterKey\": \"m4ster\", \"systemKeys\": {}}" "$key" 'functionKeys."fanout-self"' ;;
          "functionapp keys set")
            [ "$(option --resource-group)" = rg-1 ] && [ "$(option --name)" = func-1 ] || { echo "ERROR: (ResourceNotFound)" >&2; exit 1; }
            [ "$(option --key-type)" = functionKeys ] && [ "$(option --key-name)" = fanout-self ] || { echo "fake az: not the host key fanout-self" >&2; exit 2; }
            value=$(option --key-value)
            printf '%s' "$value" > "$state/key"
            answer "{\"name\": \"fanout-self\", \"value\": \"$value\"}" "" "" ;;
          *) echo "fake az: unexpected call: ${args[*]}" >&2; exit 2 ;;
        esac
        """;

    private readonly string _bin = Directory.CreateTempSubdirectory("fanout-hook-").FullName;

    public PostdeployHookTests()
    {
        var az = Path.Combine(_bin, "az");
        File.WriteAllText(az, FakeAz.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows()) // the hook is a bash script, run as azd runs it on Linux and macOS
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        File.WriteAllText(Path.Combine(_bin, "secret"), Secret);
    }

    [Fact]
    public void FirstRun_SetsTheHostKeyOnce_ToTheVaultsSecret()
    {
        var run = RunHook();

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var set = Assert.Single(Calls(), c => c.StartsWith("functionapp keys set", StringComparison.Ordinal));
        Assert.Contains($"--key-type functionKeys --key-name fanout-self --key-value {Secret} --output none", set);
        Assert.Equal(Secret, HostKey());
        Assert.DoesNotContain(Secret, run.Stdout + run.Stderr);
    }

    [Fact]
    public void SecondRun_FindsTheKeyInPlace_AndSetsNothing()
    {
        var first = RunHook();
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        File.Delete(Path.Combine(_bin, "calls.log"));

        var second = RunHook();

        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("functionapp keys set", StringComparison.Ordinal));
        Assert.Contains(Calls(), c => c.StartsWith("functionapp keys list", StringComparison.Ordinal));
        Assert.Contains("nothing to set", second.Stdout);
        Assert.Equal(Secret, HostKey());
        Assert.DoesNotContain(Secret, first.Stdout + first.Stderr + second.Stdout + second.Stderr);
    }

    [Fact]
    public void KeyHoldingAnotherValue_IsSetToTheSecret()
    {
        File.WriteAllText(Path.Combine(_bin, "key"), "an0ldKeyFromBeforeARotation");

        var run = RunHook();

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Single(Calls(), c => c.StartsWith("functionapp keys set", StringComparison.Ordinal));
        Assert.Equal(Secret, HostKey());
        Assert.DoesNotContain(Secret, run.Stdout + run.Stderr);
        Assert.DoesNotContain("an0ldKeyFromBeforeARotation", run.Stdout + run.Stderr);
    }

    [Fact]
    public void SecretTheDeployerMayNotRead_FailsNamingTheRole_AfterItsAttempts_AndSetsNothing()
    {
        File.WriteAllText(Path.Combine(_bin, "forbidden"), "");

        var run = RunHook();

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Key Vault Secrets User", run.Stderr);
        Assert.Equal(3, Calls().Count(c => c.StartsWith("keyvault secret show", StringComparison.Ordinal)));
        Assert.DoesNotContain(Calls(), c => c.StartsWith("functionapp keys", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_bin, "key")));
        Assert.DoesNotContain(Secret, run.Stdout + run.Stderr);
    }

    [Fact]
    public void WithoutTheTemplatesOutputs_FailsBeforeCallingAz()
    {
        var run = RunHook(environment => environment.Remove("AZURE_KEY_VAULT_NAME"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("AZURE_KEY_VAULT_NAME", run.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void AzureYaml_RunsTheHook_AfterTheDeploy()
    {
        var yaml = File.ReadAllText(Path.Combine(LocalPaths.RepositoryRoot(), "azure.yaml")).ReplaceLineEndings("\n");
        var withoutComments = Regex.Replace(yaml, @"(?m)^\s*#.*\n", "");
        Assert.Matches(@"(?m)^hooks:\n  postdeploy:\n    shell: sh\n    run: \./infra/hooks/postdeploy\.sh$", withoutComments);
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);

    private string HostKey() => File.ReadAllText(Path.Combine(_bin, "key"));

    private string[] Calls() => AzdHook.Lines(_bin, "calls.log");

    /// <summary>Runs the hook with the azd environment's values (here: made-up names the fake az answers for).</summary>
    private CliRun RunHook(Action<IDictionary<string, string?>>? adjust = null) =>
        AzdHook.Run("postdeploy.sh", _bin, new Dictionary<string, string>
        {
            ["AZURE_ENV_NAME"] = "fanout-test",
            ["AZURE_SUBSCRIPTION_ID"] = "sub-1",
            ["AZURE_RESOURCE_GROUP"] = "rg-1",
            ["AZURE_FUNCTION_APP_NAME"] = "func-1",
            ["AZURE_KEY_VAULT_NAME"] = "kv-1",
            ["FANOUT_URL"] = "https://func-1.azurewebsites.net",
            ["FANOUT_HOOK_ATTEMPTS"] = "3",
            ["FANOUT_HOOK_RETRY_SECONDS"] = "0",
        }, adjust: adjust);
}
