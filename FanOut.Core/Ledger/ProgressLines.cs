using System.Text.Json;

namespace FanOut.Core.Ledger;

/// <summary>Reads a progress log: one <see cref="ProgressLine"/> per line. A line cut short (a torn append, which
/// Blob Storage does not make, or a foreign write) is skipped rather than failing the status read.</summary>
internal static class ProgressLines
{
    /// <summary>The lines of one log.</summary>
    public static IEnumerable<ProgressLine> Parse(ReadOnlyMemory<byte> log)
    {
        var lines = new List<ProgressLine>();
        var rest = log.Span;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }
            try
            {
                if (JsonSerializer.Deserialize(line, LedgerJsonContext.Default.ProgressLine) is { } parsed)
                {
                    lines.Add(parsed);
                }
            }
            catch (JsonException)
            {
            }
        }
        return lines;
    }
}
