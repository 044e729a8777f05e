using System.Runtime.InteropServices;

namespace FanOut.Cli;

/// <summary>Ctrl+C (SIGINT) or SIGTERM (a pipeline cancelling its step): what stops the CLI waiting. Owned here, not
/// left to System.CommandLine, so that CliApp knows a cancellation it sees was asked for (exit 3, the job goes on) and
/// is not a timeout inside the storage SDK, which surfaces as the same <see cref="OperationCanceledException"/> (exit 4).</summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _signals;

    private Interruption() =>
        _signals = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt)];

    /// <summary>Cancelled at the process's first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Watches this process's signals until disposed.</summary>
    public static Interruption OfProcess() => new();

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }
        _source.Dispose();
    }

    // The first signal stops the waiting and lets the CLI say so; a second one ends the process as it would have.
    private void Interrupt(PosixSignalContext context)
    {
        context.Cancel = !_source.IsCancellationRequested;
        _source.Cancel();
    }
}
