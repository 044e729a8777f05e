using System.Reflection;
using FanOut.Core;
using FanOut.Core.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.LocalHost.Hosting;

/// <summary>The in-process adapter, for tests that need a seam inside the app (DI overrides): Kestrel serving the
/// function classes in this process, at the routes, methods and auth levels of functions.metadata, adapting
/// each HttpContext to HttpRequestData and FunctionContext, with the same <c>AddFanOut</c> registration as the
/// app's Program.cs. LocalHost itself runs the real worker (<see cref="Worker.WorkerHost"/>); a test proves
/// that the two answer alike.</summary>
public static class InProcessHost
{
    /// <summary>Where LocalHost listens when no <c>--urls</c> is given: where <c>func start</c> would.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>Builds the app (not started).</summary>
    /// <param name="args">Command-line arguments (<c>--urls</c>, configuration overrides).</param>
    /// <param name="configureBuilder">Extra configuration or services, before the app is built (tests).</param>
    /// <param name="configurePipeline">Extra middleware, which runs before the functions (tests' fault injectors).</param>
    /// <param name="configureFanOut">Adds to what <c>AddFanOut</c> registered, as an app's Program.cs would (a test's
    /// own processors: the real worker runs FanOut.Functions' Program.cs and cannot take them).</param>
    public static WebApplication Build(
        string[] args,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configurePipeline = null,
        Action<FanOutBuilder, IConfiguration>? configureFanOut = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrEmpty(urls))
        {
            builder.WebHost.UseUrls(urls = DefaultUrl);
        }
        // Locally the self URL is where this host listens, unless configured otherwise.
        var configuredSelfUrl = builder.Configuration["FanOut:SelfBaseUrl"];
        builder.Configuration.AddInMemoryCollection(SelfUrlDefault(builder.Configuration, urls));
        // LocalHost is for development: one process is the whole app, so without a signing key it signs its
        // calls to itself with one it makes up (unless told otherwise).
        if (string.IsNullOrEmpty(builder.Configuration["FanOut:LocalDevelopment"]))
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["FanOut:LocalDevelopment"] = "true" });
        }
        // One process is one instance, as LocalHost's default cluster: the app sizes its jobs to its slots.
        if (string.IsNullOrEmpty(builder.Configuration["FanOut:Platform:MaximumInstanceCount"]))
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["FanOut:Platform:MaximumInstanceCount"] = "1" });
        }
        // The function enforces its own body limit (413 as problem+json), as it does on Azure.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        configureBuilder?.Invoke(builder);
        var fanOut = builder.Services.AddFanOut(builder.Configuration);
        configureFanOut?.Invoke(fanOut, builder.Configuration);

        var app = builder.Build();
        if (string.IsNullOrEmpty(configuredSelfUrl))
        {
            // Bound to port 0, its address is known once it listens: the self URL follows it then.
            app.Lifetime.ApplicationStarted.Register(() =>
                app.Services.GetRequiredService<IOptions<FanOutOptions>>().Value.SelfBaseUrl = new Uri(LocalPaths.CallableUrl(app.Urls.First())));
        }
        configurePipeline?.Invoke(app);
        MapFunctions(app, AppContext.BaseDirectory, app.Configuration["FanOut:FunctionKey"]);
        return app;
    }

    private static void MapFunctions(WebApplication app, string directory, string? functionKey)
    {
        var prefix = Worker.HostJson.Load(directory).RoutePrefix.Trim('/');
        foreach (var function in FunctionsMetadata.LoadHttpFunctions(directory))
        {
            var assembly = Assembly.LoadFrom(Path.Combine(directory, function.ScriptFile));
            var invoker = new FunctionInvoker(function, assembly, functionKey);
            var pattern = prefix.Length == 0 ? function.Route : $"{prefix}/{function.Route}";
            var endpoint = function.Methods.Count == 0
                ? app.Map(pattern, invoker.InvokeAsync)
                : app.MapMethods(pattern, function.Methods, invoker.InvokeAsync);
            endpoint.WithDisplayName(function.Name);
        }
    }

    private static Dictionary<string, string?> SelfUrlDefault(IConfiguration configuration, string urls) =>
        string.IsNullOrEmpty(configuration["FanOut:SelfBaseUrl"])
            ? new() { ["FanOut:SelfBaseUrl"] = LocalPaths.CallableUrl(urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0]) }
            : [];

}
