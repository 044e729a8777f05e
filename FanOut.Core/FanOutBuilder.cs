using FanOut.Core.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FanOut.Core;

/// <summary>What <see cref="FanOutServiceCollectionExtensions.AddFanOut"/> returns: the services it registered
/// into, and where the app's own chunk processors are added.</summary>
public sealed class FanOutBuilder
{
    internal FanOutBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection FanOut is registered in.</summary>
    public IServiceCollection Services { get; }

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
