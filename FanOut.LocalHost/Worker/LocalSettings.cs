using System.Text.Json;

namespace FanOut.LocalHost.Worker;

/// <summary>The <c>Values</c> of local.settings.json, as <c>func start</c> reads them: app settings that the
/// worker gets as environment variables; an environment variable of the same name wins.</summary>
public static class LocalSettings
{
    /// <summary>The Values of <c>local.settings.json</c> in <paramref name="directory"/>; empty when there is none.</summary>
    public static Dictionary<string, string> Load(string directory)
    {
        var path = Path.Combine(directory, "local.settings.json");
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path))
        {
            return values;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.TryGetProperty("Values", out var settings) && settings.ValueKind == JsonValueKind.Object)
        {
            foreach (var setting in settings.EnumerateObject())
            {
                if (Environment.GetEnvironmentVariable(setting.Name) is null)
                {
                    values[setting.Name] = setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString()! : setting.Value.GetRawText();
                }
            }
        }
        return values;
    }
}
