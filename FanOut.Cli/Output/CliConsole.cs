using System.Text.RegularExpressions;

namespace FanOut.Cli.Output;

/// <summary>Where the CLI writes: the answer a pipeline keeps (a job's status body, an upload's blob) to standard output,
/// everything said along the way to standard error. Every line is written with the secrets it was told of masked, so a
/// key or a connection string never reaches a log, whatever message carries it. On standard error, the user info of any
/// URL (<c>https://user:secret@host</c>) is masked too, whoever's URL it is (the answer on standard output is the app's,
/// and left as it wrote it).</summary>
internal sealed partial class CliConsole(TextWriter output, TextWriter error, bool errorIsTerminal)
{
    private const string Mask = "***";
    private readonly List<string> _secrets = [];

    /// <summary>True when standard error is a terminal: progress is a bar redrawn in place there, else a line now and then.</summary>
    public bool ErrorIsTerminal => errorIsTerminal;

    /// <summary>Masks <paramref name="secret"/> in everything written from now on.</summary>
    public void Hide(string? secret)
    {
        if (!string.IsNullOrEmpty(secret) && !_secrets.Contains(secret))
        {
            _secrets.Add(secret);
            _secrets.Sort((a, b) => b.Length.CompareTo(a.Length)); // the longest first: one secret may hold another
        }
    }

    /// <summary>The command's answer, on standard output.</summary>
    public void Answer(string text) => output.WriteLine(Scrub(text));

    /// <summary>A line on standard error.</summary>
    public void Say(string line) => error.WriteLine(WithoutUserInfo(Scrub(line)));

    /// <summary>Redraws the current line of standard error (a terminal's progress bar).</summary>
    public void Redraw(string line) => error.Write("\r" + WithoutUserInfo(Scrub(line)) + "\u001b[K");

    /// <summary>Ends a line that <see cref="Redraw"/> left open.</summary>
    public void EndLine() => error.WriteLine();

    public string Scrub(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return text;
    }

    private static string WithoutUserInfo(string text) => UserInfo().Replace(text, Mask + "@");

    // scheme://user:password@ (up to the authority's last @), in any line said.
    [GeneratedRegex(@"(?<=\b[A-Za-z][A-Za-z0-9+.\-]*://)[^\s/?#]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();
}
