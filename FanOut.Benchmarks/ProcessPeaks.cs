using System.Globalization;

namespace FanOut.Benchmarks;

/// <summary>Samples processes' resident memory and open file descriptors (Linux /proc) every 200 ms until
/// disposed, keeping the peaks: what a job costs the host and the worker, beyond its rate.</summary>
internal sealed class ProcessPeaks : IAsyncDisposable
{
    private readonly int[] _pids;
    private readonly long[] _rssKiB;
    private readonly int[] _fds;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private ProcessPeaks(int[] pids)
    {
        (_pids, _rssKiB, _fds) = (pids, new long[pids.Length], new int[pids.Length]);
        _sampling = SampleAsync();
    }

    /// <summary>Starts sampling <paramref name="pids"/>.</summary>
    public static ProcessPeaks Start(params int[] pids) => new(pids);

    /// <summary>Peak resident memory of each process, MiB.</summary>
    public double[] RssMiB => [.. _rssKiB.Select(kib => kib / 1024.0)];

    /// <summary>Peak open file descriptors of each process.</summary>
    public int[] Fds => [.. _fds];

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (!_stop.IsCancellationRequested)
        {
            for (var i = 0; i < _pids.Length; i++)
            {
                try
                {
                    var rss = File.ReadLines($"/proc/{_pids[i]}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
                    _rssKiB[i] = Math.Max(_rssKiB[i], long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
                    _fds[i] = Math.Max(_fds[i], Directory.GetFiles($"/proc/{_pids[i]}/fd").Length);
                }
                catch (IOException)
                {
                    // the process is gone or the descriptor closed while listed: skip this sample
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
            try
            {
                await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Stops sampling (once; later calls do nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private int _disposed;
}
