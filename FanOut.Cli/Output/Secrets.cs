namespace FanOut.Cli.Output;

/// <summary>Finds the secrets a command line and the environment hand the CLI, so that <see cref="CliConsole"/> masks them:
/// the function key, a connection string (and its account key), a SAS URL (and its query).</summary>
internal static class Secrets
{
    /// <summary>Options whose value is a secret.</summary>
    public static readonly string[] Options = ["--key", "--connection-string", "--sas-url"];

    /// <summary>Environment variables whose value is a secret.</summary>
    public static readonly string[] Variables = ["FANOUT_KEY", "FANOUT_STORAGE_CONNECTION_STRING"];

    /// <summary>Tells <paramref name="console"/> every secret in <paramref name="args"/> (whether or not they parse) and
    /// in the environment.</summary>
    public static void HideAll(IReadOnlyList<string> args, Func<string, string?> variable, CliConsole console)
    {
        for (var i = 0; i < args.Count; i++)
        {
            foreach (var option in Options)
            {
                if (args[i] == option && i + 1 < args.Count)
                {
                    HideParts(args[i + 1], console);
                }
                else if (args[i].StartsWith(option + "=", StringComparison.Ordinal) || args[i].StartsWith(option + ":", StringComparison.Ordinal))
                {
                    HideParts(args[i][(option.Length + 1)..], console);
                }
            }
        }
        foreach (var name in Variables)
        {
            HideParts(variable(name), console);
        }
    }

    // The whole value, and the parts a message might quote alone: a connection string's keys and signatures, a URL's query.
    private static void HideParts(string? value, CliConsole console)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        console.Hide(value);
        foreach (var part in value.Split(';', '&', '?'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? part[..equals] : "";
            if (name is "AccountKey" or "SharedAccessSignature" or "sig")
            {
                console.Hide(part[(equals + 1)..]);
            }
        }
        if (value.IndexOf('?', StringComparison.Ordinal) is var query and >= 0 && query < value.Length - 1)
        {
            console.Hide(value[(query + 1)..]);
        }
    }
}
