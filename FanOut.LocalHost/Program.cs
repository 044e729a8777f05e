using FanOut.LocalHost.Worker;

// FanOut's `func start`: runs the built FanOut.Functions.dll as its own worker process over the host-worker
// gRPC protocol and serves its HTTP functions. Options: --urls (default http://127.0.0.1:7071), --app (the
// function app's build output; default: the FanOut.Functions this host was built with).
WorkerHost.Build(args).Run();
return Environment.ExitCode;
