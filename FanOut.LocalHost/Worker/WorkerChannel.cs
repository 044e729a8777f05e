using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Logging;

namespace FanOut.LocalHost.Worker;

/// <summary>The host's end of one worker's <c>FunctionRpc.EventStream</c>: what the host sends is written by one
/// writer at a time, replies are matched to their requests by <c>request_id</c>, and the worker's <c>RpcLog</c>
/// messages go to the host's loggers at their own levels and categories.</summary>
internal sealed class WorkerChannel(ILoggerFactory loggers)
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);
    private readonly ConcurrentQueue<StreamingMessage> _outbox = new();
    private IServerStreamWriter<StreamingMessage>? _toWorker;
    private int _writing;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly ConcurrentDictionary<string, ILogger> _categories = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggers.CreateLogger("FanOut.LocalHost.Worker");
    private volatile bool _closed;

    /// <summary>The id the host gave the worker it launched; a stream that starts with another is refused.</summary>
    public string WorkerId { get; } = Guid.NewGuid().ToString();

    /// <summary>The worker's last log messages, whatever their level.</summary>
    public RecentLines LastLogs { get; } = new();

    /// <summary>Completes when the worker has opened its stream (StartStream).</summary>
    public Task Connected => _connected.Task;

    /// <summary>Serves the worker's stream, whose first message (<paramref name="start"/>) was read already, until it ends.</summary>
    public async Task RunAsync(StreamingMessage start, IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        if (start.StartStream?.WorkerId != WorkerId)
        {
            _logger.LogWarning("A stream that did not start with this host's worker id was refused.");
            return;
        }
        _toWorker = toWorker;
        _connected.TrySetResult();
        await DrainAsync();
        try
        {
            while (await fromWorker.MoveNext(cancellationToken))
            {
                Receive(fromWorker.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or Grpc.Core.RpcException)
        {
            // the worker went away; Close tells whoever waits
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Sends a request and waits for the worker's reply to it (the message with its request_id).</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, CancellationToken cancellationToken = default)
    {
        request.RequestId = request.InvocationRequest?.InvocationId ?? Guid.NewGuid().ToString();
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[request.RequestId] = reply;
        try
        {
            if (_closed)
            {
                throw new WorkerUnavailableException();
            }
            _outbox.Enqueue(request);
            await DrainAsync();
            return await reply.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pending.TryRemove(request.RequestId, out _);
        }
    }

    /// <summary>Sends a message that has no reply (InvocationCancel, WorkerTerminate).</summary>
    public void Send(StreamingMessage message)
    {
        _outbox.Enqueue(message);
        _ = DrainAsync().AsTask();
    }

    /// <summary>Fails every request still waiting: the worker is gone.</summary>
    public void Close()
    {
        _closed = true;
        _outbox.Clear();
        foreach (var (id, pending) in _pending)
        {
            pending.TrySetException(new WorkerUnavailableException());
            _pending.TryRemove(id, out _);
        }
    }

    // Whoever finds no write under way writes everything queued, its own message and any that others queued in
    // the meantime, and flushes only after the last: one flush for a burst, and no hand-off to a writer task when
    // calls come one at a time.
    private async ValueTask DrainAsync()
    {
        while (_toWorker is { } toWorker && !_outbox.IsEmpty && Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            try
            {
                while (_outbox.TryDequeue(out var message))
                {
                    toWorker.WriteOptions = _outbox.IsEmpty ? null : Buffered;
                    await toWorker.WriteAsync(message);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException or Grpc.Core.RpcException)
            {
                Close();
            }
            finally
            {
                Volatile.Write(ref _writing, 0);
            }
        }
    }

    private void Receive(StreamingMessage message)
    {
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
        {
            Log(message.RpcLog);
        }
        else if (_pending.TryRemove(message.RequestId, out var waiting))
        {
            waiting.TrySetResult(message);
        }
    }

    private void Log(RpcLog log)
    {
        var logger = _categories.GetOrAdd(string.IsNullOrEmpty(log.Category) ? "Worker" : log.Category, loggers.CreateLogger);
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        var exception = log.Exception is { } e ? $"{Environment.NewLine}{e.Type}: {e.Message}{Environment.NewLine}{e.StackTrace}" : "";
        LastLogs.Add($"{log.Level} {log.Category}: {log.Message}{exception}");
        if (logger.IsEnabled(level))
        {
            var eventId = int.TryParse(log.EventId, out var id) ? new EventId(id) : default;
            logger.Log(level, eventId, "{Message}{Exception}", log.Message, exception);
        }
    }
}

/// <summary>The worker is not (or no longer) there to answer.</summary>
internal sealed class WorkerUnavailableException() : Exception("The worker process is not running.");
