using FanOut.Core.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;

namespace FanOut.Core;

/// <summary>What <see cref="FanOutServiceCollectionExtensions.AddFanOut"/> returns: the services it registered
/// into, and where the app's own chunk processors are added.</summary>
public sealed class FanOutBuilder
{
    private readonly IOpenTelemetryBuilder? _telemetry;

    internal FanOutBuilder(IServiceCollection services, IOpenTelemetryBuilder? telemetry = null) => (Services, _telemetry) = (services, telemetry);

    /// <summary>The service collection FanOut is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds to FanOut's OpenTelemetry wiring when it exports (an exporter is configured: Azure Monitor, OTLP);
    /// does nothing otherwise, so that nothing listens when nothing is exported. The Functions app adds its worker's
    /// defaults here (<c>UseFunctionsWorkerDefaults</c>), which declare to the host that the worker exports its own
    /// telemetry: true only when it does.</summary>
    public FanOutBuilder WithTelemetry(Action<IOpenTelemetryBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (_telemetry is not null)
        {
            configure(_telemetry);
        }
        return this;
    }

    /// <summary>Registers a chunk processor as a singleton, so requests can name it in <c>processor</c>. Adding
    /// the same type again does nothing; two types with one <see cref="ChunkProcessor.Name"/> stop the app at
    /// start-up with an error naming both.</summary>
    /// <typeparam name="TProcessor">A <see cref="ChunkProcessor{TOptions, TPartial, TResult}"/>; its constructor
    /// may take services.</typeparam>
    public FanOutBuilder AddProcessor<TProcessor>()
        where TProcessor : ChunkProcessor
    {
        Services.TryAddSingleton<TProcessor>();
        // The factory's own type names TProcessor, which is how TryAddEnumerable tells processors apart; the one
        // instance is the runtime's IChunkProcessor too, as every ChunkProcessor is a ChunkProcessor<,,>.
        Func<IServiceProvider, TProcessor> resolve = provider => provider.GetRequiredService<TProcessor>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IChunkProcessor), resolve));
        return this;
    }
}
