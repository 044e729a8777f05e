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

    /// <summary>The app's root URL, as given: an absolute http(s) URL, without control characters or user info.</summary>
    public Uri AppUrl(ParseResult parsed, CliEnvironment environment)
    {
        var given = parsed.GetValue(Url);
        var url = given ?? environment.Variable("FANOUT_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new UsageException("Say where the app is: --url https://… (or FANOUT_URL).");
        }
        return Inputs.Url(url, given is not null ? "--url" : "FANOUT_URL");
    }

    /// <summary>A client of the app, with its key (printable ASCII only: checked before anything is sent).</summary>
    public FanOutClient Connect(ParseResult parsed, CliEnvironment environment)
    {
        var url = AppUrl(parsed, environment);
        var given = parsed.GetValue(Key);
        var key = Inputs.Key(given ?? environment.Variable("FANOUT_KEY"), given is not null ? "--key" : "FANOUT_KEY");
        return FanOutClient.Create(url, key, environment.Clock);
    }
}
