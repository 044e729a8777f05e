using FanOut.Core;
using FanOut.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
// Outermost first: every answer carries its invocation id; no exception leaves as an empty 500; no function runs
// while a secret setting is an unresolved Key Vault reference or the storage setting does not work (checked as the host starts).
builder.UseMiddleware<InvocationIdHeader>();
builder.UseMiddleware<UnhandledExceptionProblem>();
builder.UseMiddleware<ReadinessGate>();
builder.Services.AddFanOut(builder.Configuration)
    // When the app exports telemetry: the worker's invocation span is an internal child of the host's request (schema
    // 1.37), the resource names the Function App, and the host is told that the worker exports its own logs.
    .WithTelemetry(telemetry => telemetry.UseFunctionsWorkerDefaults());
builder.Services.AddHostedService<ReadinessCheck>();
builder.Build().Run();
