using FanOut.Core;
using FanOut.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.UseMiddleware<InvocationIdHeader>();
builder.Services.AddFanOut(builder.Configuration);
builder.Build().Run();
