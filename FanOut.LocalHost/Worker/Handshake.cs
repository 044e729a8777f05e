using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace FanOut.LocalHost.Worker;

/// <summary>The handshake of a worker that opened its stream: WorkerInitRequest, FunctionsMetadataRequest (the worker
/// indexes its own functions), then one FunctionLoadRequest per function; answers its HTTP and timer functions.</summary>
internal static class Handshake
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    public static async Task<(IReadOnlyList<WorkerFunction> Http, IReadOnlyList<TimerFunction> Timers)> RunAsync(WorkerChannel channel, LocalHostSettings settings)
    {
        var init = await channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = "4.0.0-fanout-localhost",
                WorkerDirectory = settings.AppDirectory,
                FunctionAppDirectory = settings.AppDirectory,
            },
        }).WaitAsync(StepTimeout);
        Check(init.WorkerInitResponse?.Result, "WorkerInitRequest");
        var metadata = await channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = settings.AppDirectory },
        }).WaitAsync(StepTimeout);
        Check(metadata.FunctionMetadataResponse?.Result, "FunctionsMetadataRequest");
        var functions = new List<WorkerFunction>();
        var timers = new List<TimerFunction>();
        foreach (var function in metadata.FunctionMetadataResponse!.FunctionMetadataResults)
        {
            // One FunctionLoadRequest per function: the worker does not handle the batched collection.
            var loaded = await channel.RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
            }).WaitAsync(StepTimeout);
            Check(loaded.FunctionLoadResponse?.Result, $"FunctionLoadRequest ({function.Name})");
            if (WorkerFunction.FromMetadata(function, settings.HostJson.RoutePrefix) is { } http)
            {
                functions.Add(http);
            }
            else if (TimerFunction.FromMetadata(function) is { } timer)
            {
                timers.Add(timer);
            }
        }
        return (functions, timers);
    }

    private static void Check(StatusResult? result, string request)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {request}: {result?.Exception?.Message ?? result?.Result ?? "no answer"}");
        }
    }
}
