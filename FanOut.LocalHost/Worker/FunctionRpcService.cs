using FanOut.LocalHost.Cluster;
using Grpc.Core;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace FanOut.LocalHost.Worker;

/// <summary>The gRPC service every instance's worker connects to: one server for the cluster, each worker's event stream
/// handed to the channel of the instance it was launched for, found by the worker id its StartStream carries (a stream
/// with another id is refused).</summary>
internal sealed class FunctionRpcService(InstancePool pool) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (await requestStream.MoveNext(context.CancellationToken) && pool.ChannelOf(requestStream.Current.StartStream?.WorkerId) is { } channel)
        {
            await channel.RunAsync(requestStream.Current, requestStream, responseStream, context.CancellationToken);
        }
    }
}
