using FanOut.Core;
using FanOut.Core.Processing;
using FanOut.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FanOut.Tests.Processing;

/// <summary>AddFanOut(...).AddProcessor: the app's processors join the built-ins, each name once.</summary>
public sealed class ProcessorRegistrationTests
{
    private const string Twins =
        "Two chunk processors are named 'wordcount': FanOut.Core.Processing.WordCountProcessor and "
        + "FanOut.Tests.Processing.ProcessorRegistrationTests+WordCountTwin.";

    [Fact]
    public void AddProcessor_JoinsTheBuiltIns_OnceHoweverOftenAdded()
    {
        using var services = TestServices.Build(fanOut: fanOut => fanOut.AddProcessor<LongRecordsProcessor>().AddProcessor<LongRecordsProcessor>());

        var processors = services.GetRequiredService<ChunkProcessors>();

        Assert.Equal(["count", "longrecords", "project", "wordcount"], processors.Names);
        Assert.True(processors.TryGet("longrecords", out var found));
        Assert.Same(services.GetRequiredService<LongRecordsProcessor>(), found);
    }

    [Fact]
    public async Task StartAsync_TwoProcessorsOfOneName_FailsNamingBothTypes()
    {
        using var host = BuildHost(fanOut => fanOut.AddProcessor<WordCountTwin>());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(Twins, error.Message);
    }

    [Fact]
    public async Task StartAsync_InvalidName_FailsNamingTheType()
    {
        using var host = BuildHost(fanOut => fanOut.AddProcessor<BadlyNamed>());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            "The chunk processor FanOut.Tests.Processing.ProcessorRegistrationTests+BadlyNamed is named 'Word Count'; "
            + "a processor name is 1 to 64 characters of a-z, 0-9, '_' and '-'.",
            error.Message);
    }

    [Fact]
    public async Task StartAsync_ProcessorsOfTheirOwnNames_Starts()
    {
        using var host = BuildHost(fanOut => fanOut.AddProcessor<LongRecordsProcessor>());

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void ChunkProcessors_TwoProcessorsOfOneName_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ChunkProcessors([new WordCountProcessor(), new WordCountTwin()]));

        Assert.Equal(Twins, error.Message);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("word_count-2")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Problems_ValidName_None(string name) =>
        Assert.Empty(ChunkProcessors.Problems([new Named(name)]));

    [Theory]
    [InlineData("")]
    [InlineData("WordCount")]
    [InlineData("word count")]
    [InlineData("wörd")]
    [InlineData("count\n")] // a `$` anchor would let a final newline through
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Problems_InvalidName_One(string name) =>
        Assert.Single(ChunkProcessors.Problems([new Named(name)]));

    private static IHost BuildHost(Action<FanOutBuilder> fanOut)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(TestServices.Settings());
        fanOut(builder.Services.AddFanOut(builder.Configuration));
        return builder.Build();
    }

    private sealed class WordCountTwin() : Named("wordcount");

    private sealed class BadlyNamed() : Named("Word Count");

    // Does nothing; only its name matters here.
    private class Named(string name) : ChunkProcessor<NoOptions, LongRecordsPartial, LongRecordsPartial>
    {
        public override string Name => name;

        protected override LongRecordsPartial Begin(NoOptions options) => new();

        protected override void Add(LongRecordsPartial partial, ChunkRecord record, ChunkContext<NoOptions> chunk)
        {
        }

        protected override LongRecordsPartial Merge(LongRecordsPartial into, LongRecordsPartial from) => into;

        protected override LongRecordsPartial Finish(LongRecordsPartial merged, NoOptions options) => merged;
    }
}
