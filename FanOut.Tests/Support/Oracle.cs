using System.Diagnostics;

namespace FanOut.Tests.Support;

/// <summary>Independent answers from coreutils, to compare FanOut's results with.</summary>
internal static class Oracle
{
    /// <summary><c>LC_ALL=C tr -s '[:space:]' '\n' | sort | uniq -c</c> of the file, as word → count.</summary>
    public static async Task<Dictionary<string, long>> WordFrequenciesAsync(string path)
    {
        var output = await RunAsync($"tr -s '[:space:]' '\\n' < '{path}' | sort | uniq -c");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var trimmed = line.TrimStart(' ');
            var space = trimmed.IndexOf(' ');
            var word = space < 0 ? "" : trimmed[(space + 1)..];
            if (word.Length > 0) // tr leaves one empty line when the text starts with whitespace
            {
                counts[word] = long.Parse(trimmed[..space]);
            }
        }
        return counts;
    }

    /// <summary><c>LC_ALL=C wc -w</c> of the file.</summary>
    public static async Task<long> WordTotalAsync(string path) => long.Parse((await RunAsync($"wc -w < '{path}'")).Trim());

    private static async Task<string> RunAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"oracle failed: {script}: {await process.StandardError.ReadToEndAsync()}");
        return output;
    }
}
