using System.Globalization;

namespace FanOut.LocalHost.Cluster;

/// <summary>Durations as people write them on a command line: <c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, or a
/// TimeSpan (<c>00:00:05</c>).</summary>
internal static class Durations
{
    /// <summary>Reads <paramref name="text"/>; false when it is none of the forms above.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        text = text.Trim();
        (string Suffix, Func<double, TimeSpan> Of)[] units =
        [
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours),
        ];
        foreach (var (suffix, of) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                duration = of(amount);
                return true;
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
    }
}
