using System.CommandLine;
using FanOut.Cli.Api;

namespace FanOut.Cli.Commands;

/// <summary>Where the app is and its key: <c>--url</c> (or FANOUT_URL) and <c>--key</c> (or FANOUT_KEY), on every command
/// that calls the app.</summary>
internal sealed class AppOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "The function app's root URL, e.g. https://my-fanout.azurewebsites.net (default: FANOUT_URL).",
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "The function key, sent as x-functions-key and never printed (default: FANOUT_KEY; better: keep it there).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Key);
    }

    /// <summary>The app's root URL, as given.</summary>
    public Uri AppUrl(ParseResult parsed, CliEnvironment environment)
    {
        var url = parsed.GetValue(Url) ?? environment.Variable("FANOUT_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new UsageException("Say where the app is: --url https://… (or FANOUT_URL).");
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new UsageException("--url must be an absolute http(s) URL.");
        }
        return uri;
    }

    /// <summary>A client of the app, with its key.</summary>
    public FanOutClient Connect(ParseResult parsed, CliEnvironment environment) =>
        FanOutClient.Create(AppUrl(parsed, environment), parsed.GetValue(Key) ?? environment.Variable("FANOUT_KEY"), environment.Clock);
}
