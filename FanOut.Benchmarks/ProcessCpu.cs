using System.Globalization;

namespace FanOut.Benchmarks;

/// <summary>CPU seconds (user + system) that processes have used, from /proc/{pid}/stat: what a run costs each
/// process, measured rather than guessed, when wall times on a shared machine mostly measure the others.</summary>
internal static class ProcessCpu
{
    /// <summary>CPU seconds used so far by each of <paramref name="pids"/>.</summary>
    public static double[] Seconds(params int[] pids) => [.. pids.Select(Seconds)];

    /// <summary>CPU seconds so far of the live threads of <paramref name="pids"/> whose name starts with
    /// <paramref name="threadName"/> (e.g. ".NET Tiered Com", the runtime's background JIT that recompiles hot methods
    /// optimized).</summary>
    public static double ThreadSeconds(string threadName, params int[] pids)
    {
        long ticks = 0;
        foreach (var pid in pids)
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(threadName, StringComparison.Ordinal))
                    {
                        var text = File.ReadAllText(Path.Combine(task, "stat"));
                        var stat = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                        ticks += long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // A thread or the process ended while being read.
            }
        }
        return ticks / 100.0;
    }

    /// <summary>Context switches (voluntary, involuntary) so far of the live threads of <paramref name="pids"/>, summed:
    /// a thread that gave up its core to wait (voluntary) or had it taken away with work left (involuntary, the sign
    /// of more runnable threads than cores).</summary>
    public static (long Voluntary, long Involuntary) Switches(params int[] pids)
    {
        long voluntary = 0, involuntary = 0;
        foreach (var pid in pids)
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            voluntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                        }
                        else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            involuntary += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                        }
                    }
                }
            }
            catch (IOException)
            {
                // A thread or the process ended while being read: its switches are not counted.
            }
        }
        return (voluntary, involuntary);
    }

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
