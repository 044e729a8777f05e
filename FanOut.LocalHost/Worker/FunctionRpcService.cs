using Grpc.Core;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace FanOut.LocalHost.Worker;

/// <summary>The gRPC service the worker connects to: its one event stream is handed to the channel of the current worker
/// (which refuses a stream that does not start with its worker id).</summary>
internal sealed class FunctionRpcService(FunctionsWorker worker) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        worker.Channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
