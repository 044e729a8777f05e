using FanOut.Core;
using FanOut.Core.Processing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;

namespace FanOut.Tests.Processing.Readme;

// README: begin (the README's "Your own processor" example, verbatim: ReadmeProcessorTests checks both agree)
public sealed class MinBytes { public int Bytes { get; set; } }
public sealed class Tally { public long Records { get; set; } }

public sealed class LongRecords : ChunkProcessor<MinBytes, Tally, Tally>
{
    public override string Name => "longrecords";
    protected override void Validate(MinBytes options, OptionErrors errors)
    {
        if (options.Bytes < 0) errors.Add("bytes", "Must not be negative.");
    }
    protected override Tally Begin(MinBytes options) => new();
    protected override void Add(Tally partial, ChunkRecord record, ChunkContext<MinBytes> chunk)
    {
        if (record.Text.Length >= chunk.Options.Bytes) partial.Records++;
    }
    protected override Tally Merge(Tally into, Tally from) { into.Records += from.Records; return into; }
    protected override Tally Finish(Tally merged, MinBytes options) => merged;
}
// README: end

/// <summary>The README's other snippets in "Your own processor", each between its markers as the README shows it
/// (ReadmeProcessorTests checks that every C# block of the section is one of them): compiled here, and run where
/// they run.</summary>
public static class ReadmeSnippets
{
    // FanOut.Functions/Program.cs's AddFanOut line with the processor registered, against the worker's own builder.
    public static void Register(FunctionsApplicationBuilder builder)
    {
        // README: begin
        builder.Services.AddFanOut(builder.Configuration)
            .AddProcessor<LongRecords>()
            .WithTelemetry(telemetry => telemetry.UseFunctionsWorkerDefaults());
        // README: end
    }
}

/// <summary>The README's test of the example with the kit, as an author would write it.</summary>
public sealed class ReadmeKitExample
{
    [Fact]
    public async Task LongRecords_CountsTheRecordsOfAtLeastTheGivenBytes()
    {
        // README: begin
        var run = await ProcessorTestKit.RunAsync(new LongRecords(), [["a", "bb"], ["ccc"], []], new MinBytes { Bytes = 2 });
        Assert.Equal(2, run.Result.Records);
        // README: end
    }
}
