using FanOut.Core.Configuration;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Processing;

/// <summary>Checks the processors' names with FanOut's options, which are validated when the app starts, so an
/// app with a processor name taken twice (or an invalid one) does not start, and says which types clash.</summary>
internal sealed class ChunkProcessorsValidator(IEnumerable<IChunkProcessor> processors) : IValidateOptions<FanOutOptions>
{
    public ValidateOptionsResult Validate(string? name, FanOutOptions options)
    {
        var problems = ChunkProcessors.Problems(processors).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
