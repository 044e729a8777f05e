using Grpc.Core;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace FanOut.LocalHost.Worker;

/// <summary>The gRPC service the worker connects to: its one event stream is handed to the host's channel.</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
