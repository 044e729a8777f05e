using System.CommandLine.Parsing;
using System.Globalization;

namespace FanOut.Cli.Commands;

/// <summary>Reads a duration option: <c>90</c> or <c>90s</c>, <c>15m</c>, <c>2h</c>, or <c>hh:mm:ss</c>.</summary>
internal static class Durations
{
    public static TimeSpan Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value.Trim() : "";
        var unit = text.Length > 0 ? text[^1] : ' ';
        var (number, scale) = unit switch
        {
            's' => (text[..^1], 1),
            'm' => (text[..^1], 60),
            'h' => (text[..^1], 3600),
            _ => (text, 1),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value * scale <= int.MaxValue / 1000)
        {
            return TimeSpan.FromSeconds(value * scale);
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }
        result.AddError($"{text} is not a duration: give 90s, 15m, 2h or 00:15:00.");
        return default;
    }
}
