namespace FanOut.LocalHost.Worker;

/// <summary>What the local host serves: the function app's build output, its host.json and the app settings
/// its worker gets as environment variables.</summary>
/// <param name="AppDirectory">The function app's build output (worker.config.json, functions.metadata, host.json).</param>
/// <param name="HostJson">Its host.json.</param>
/// <param name="AppSettings">App settings for the worker, by environment variable name (<c>FanOut__…</c>):
/// local.settings.json's Values, then the caller's; an environment variable of the host wins over
/// local.settings.json but not over the caller's.</param>
public sealed record LocalHostSettings(string AppDirectory, HostJson HostJson, IReadOnlyDictionary<string, string> AppSettings)
{
    /// <summary>An app setting: the caller's or local.settings.json's, else the host's environment.</summary>
    public string? Setting(string name) =>
        AppSettings.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name);

    /// <summary>The key a caller must present (<c>FanOut__FunctionKey</c>: the key the app sends on its own
    /// calls); none when it is not set, as <c>func start</c> checks no keys.</summary>
    public string? FunctionKey => Setting("FanOut__FunctionKey") is { Length: > 0 } key ? key : null;
}
