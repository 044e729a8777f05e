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

    /// <summary>As <see cref="WordFrequenciesAsync"/>, with each word as its exact bytes in lower-case hex, for
    /// text that is not all valid UTF-8 (words of any byte but ASCII whitespace).</summary>
    public static async Task<Dictionary<string, long>> WordBytesFrequenciesAsync(string path)
    {
        var output = await RunForBytesAsync($"tr -s '[:space:]' '\\n' < '{path}' | sort | uniq -c");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var range in output.AsSpan().Split((byte)'\n'))
        {
            var line = output.AsSpan(range).TrimStart((byte)' ');
            var space = line.IndexOf((byte)' ');
            if (space > 0 && space + 1 < line.Length) // tr leaves one empty line when the text starts with whitespace
            {
                counts[Convert.ToHexStringLower(line[(space + 1)..])] = long.Parse(line[..space]);
            }
        }
        return counts;
    }

    /// <summary><c>LC_ALL=C wc -w</c> of the file.</summary>
    public static async Task<long> WordTotalAsync(string path) => long.Parse((await RunAsync($"wc -w < '{path}'")).Trim());

    private static async Task<byte[]> RunForBytesAsync(string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"oracle failed: {script}: {await process.StandardError.ReadToEndAsync()}");
        return output.ToArray();
    }

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
