using System.Globalization;

namespace FanOut.Benchmarks;

/// <summary>CPU seconds (user + system) that processes have used, from /proc/{pid}/stat: what a run costs each
/// process, measured rather than guessed, when wall times on a shared machine mostly measure the others.</summary>
internal static class ProcessCpu
{
    /// <summary>CPU seconds used so far by each of <paramref name="pids"/>.</summary>
    public static double[] Seconds(params int[] pids) => [.. pids.Select(Seconds)];

    /// <summary>The descendants of this process whose command is <paramref name="command"/> (e.g. Azurite's node).</summary>
    public static int[] Descendants(string command)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Stat(pid) is { } stat)
            {
                parents[pid] = int.Parse(stat[1], CultureInfo.InvariantCulture);
            }
        }
        var self = Environment.ProcessId;
        return [.. parents.Keys.Where(pid => Command(pid) == command && IsDescendant(pid, self, parents))];
    }

    private static bool IsDescendant(int pid, int ancestor, Dictionary<int, int> parents)
    {
        for (var at = pid; parents.TryGetValue(at, out var parent) && at > 1; at = parent)
        {
            if (parent == ancestor)
            {
                return true;
            }
        }
        return false;
    }

    private static double Seconds(int pid) => Stat(pid) is { } stat
        ? (long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture)) / 100.0
        : double.NaN;

    private static string? Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    // The fields after "(comm)": state, ppid, ... (utime is the 12th of them, stime the 13th).
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
