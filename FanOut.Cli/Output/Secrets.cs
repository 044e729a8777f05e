namespace FanOut.Cli.Output;

/// <summary>Finds the secrets a command line and the environment hand the CLI, so that <see cref="CliConsole"/> masks them:
/// the function key, a connection string (and its account key), a SAS URL (and its query), and the user info of any URL
/// (<c>https://user:secret@host/</c>, which the CLI refuses, but names in no message either).</summary>
internal static class Secrets
{
    /// <summary>Options whose value is a secret.</summary>
    public static readonly string[] Options = ["--key", "--connection-string", "--sas-url"];

    /// <summary>Environment variables whose value is a secret.</summary>
    public static readonly string[] Variables = ["FANOUT_KEY", "FANOUT_STORAGE_CONNECTION_STRING"];

    /// <summary>Options and environment variables holding a URL, whose user info is a secret.</summary>
    public static readonly string[] Urls = ["--url", "--sas-url", "--account-url", "FANOUT_URL", "AZURE_STORAGE_BLOB_ENDPOINT"];

    /// <summary>Tells <paramref name="console"/> every secret in <paramref name="args"/> (whether or not they parse) and
    /// in the environment.</summary>
    public static void HideAll(IReadOnlyList<string> args, Func<string, string?> variable, CliConsole console)
    {
        for (var i = 0; i < args.Count; i++)
        {
            foreach (var option in Options)
            {
                HideParts(ValueOf(args, i, option), console);
            }
            foreach (var option in Urls)
            {
                HideUserInfo(ValueOf(args, i, option), console);
            }
        }
        foreach (var name in Variables)
        {
            HideParts(variable(name), console);
        }
        foreach (var name in Urls)
        {
            HideUserInfo(variable(name), console);
        }
    }

    // The value args[i] gives option: "--key value", "--key=value" or "--key:value".
    private static string? ValueOf(IReadOnlyList<string> args, int i, string option) =>
        args[i] == option && i + 1 < args.Count ? args[i + 1]
        : args[i].StartsWith(option + "=", StringComparison.Ordinal) || args[i].StartsWith(option + ":", StringComparison.Ordinal) ? args[i][(option.Length + 1)..]
        : null;

    // What stands between "scheme://" and the "@" ending the authority, as written and unescaped (as Uri may print it).
    // Whole: a password alone, often short, would mask every word that holds it.
    private static void HideUserInfo(string? url, CliConsole console)
    {
        var start = url?.IndexOf("://", StringComparison.Ordinal) ?? -1;
        if (start < 0)
        {
            return;
        }
        start += 3;
        var end = url!.IndexOfAny(['/', '?', '#'], start) is var stop and >= 0 ? stop : url.Length;
        var at = url.LastIndexOf('@', end - 1, end - start);
        if (at <= start)
        {
            return;
        }
        var userInfo = url[start..at];
        console.Hide(userInfo);
        console.Hide(Uri.UnescapeDataString(userInfo));
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
