using System.Diagnostics;
using System.Globalization;

namespace FanOut.Tests.Support;

/// <summary>Starves a process of CPU, as a crowded instance is: a busy loop per core at the ordinary priority, and every
/// thread of the starved process lowered to nice 10 (again every half second, for the threads it starts meanwhile), so
/// that it runs only in the loops' leftovers and is descheduled at any point of its code. Bounded: each loop runs under
/// <c>timeout</c>, so it ends by itself even if the test dies; disposing kills them at once. Linux only (renice, /proc).</summary>
internal sealed class CpuStarvation : IAsyncDisposable
{
    private const int Nice = 10;
    private static readonly TimeSpan ReniceEvery = TimeSpan.FromMilliseconds(500);

    private readonly List<Process> _loops;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renicing;

    private CpuStarvation(int pid, List<Process> loops)
    {
        _loops = loops;
        _renicing = ReniceAsync(pid, _stop.Token);
    }

    /// <summary>Threads of the starved process lowered so far (over every sweep).</summary>
    public int Reniced { get; private set; }

    /// <summary>Starts a busy loop per core (each ends by itself after <paramref name="limit"/>) and lowers
    /// <paramref name="pid"/>'s threads below them.</summary>
    public static CpuStarvation Start(int pid, TimeSpan limit)
    {
        var seconds = ((int)Math.Ceiling(limit.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var loops = new List<Process>();
        for (var i = 0; i < Environment.ProcessorCount; i++)
        {
            var start = new ProcessStartInfo("timeout") { UseShellExecute = false };
            foreach (var arg in new[] { seconds, "sh", "-c", "while :; do :; done" })
            {
                start.ArgumentList.Add(arg);
            }
            loops.Add(Process.Start(start)!);
        }
        return new CpuStarvation(pid, loops);
    }

    private async Task ReniceAsync(int pid, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var threads = Directory.Exists($"/proc/{pid}/task") ? Directory.GetDirectories($"/proc/{pid}/task").Select(Path.GetFileName).ToList() : [];
            if (threads.Count > 0)
            {
                var start = new ProcessStartInfo("renice") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var arg in new[] { "-n", Nice.ToString(CultureInfo.InvariantCulture), "-p" }.Concat(threads))
                {
                    start.ArgumentList.Add(arg!);
                }
                using var renice = Process.Start(start)!;
                await renice.StandardOutput.ReadToEndAsync(CancellationToken.None);
                await renice.WaitForExitAsync(CancellationToken.None);
                Reniced = Math.Max(Reniced, threads.Count);
            }
            try
            {
                await Task.Delay(ReniceEvery, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renicing;
        foreach (var loop in _loops)
        {
            try
            {
                loop.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended by itself.
            }
            await loop.WaitForExitAsync();
            loop.Dispose();
        }
        _stop.Dispose();
    }
}
