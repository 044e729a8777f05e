namespace FanOut.Core.Processing;

/// <summary>An accumulator whose records are added asynchronously (<see cref="AsyncChunkProcessor{TOptions, TPartial, TResult}"/>'s):
/// the runtime calls <see cref="AddAsync"/> once per record, in order, each awaited before the next, and never
/// <see cref="IChunkAccumulator.Add"/>.</summary>
internal interface IAsyncChunkAccumulator : IChunkAccumulator
{
    /// <summary>Adds one record, a copy that stays valid until the chunk ends.</summary>
    Task AddAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken);
}
