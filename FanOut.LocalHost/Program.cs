using FanOut.LocalHost.Worker;

// FanOut's `func start`: runs the built FanOut.Functions.dll as its own worker process over the host-worker
// gRPC protocol and serves its HTTP functions, as a cluster of instances behind one front. Options: --urls (default
// http://127.0.0.1:7071), --app (the function app's build output; default: the FanOut.Functions this host was built
// with), --instances N, --max-instances M, --per-instance-concurrency C (16), --recycle-every <duration> (README).
Microsoft.AspNetCore.Builder.WebApplication host;
try
{
    host = WorkerHost.Build(args);
}
catch (ArgumentException ex)
{
    // A flag that makes no cluster: say which, not a stack trace.
    Console.Error.WriteLine($"FanOut.LocalHost: {ex.Message}");
    return 2;
}
host.Run();
return Environment.ExitCode;
