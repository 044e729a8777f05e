using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Notices;
using FanOut.Core.Planning;
using FanOut.Core.Requests;
using FanOut.Core.Runs;

namespace FanOut.Tests.Runs;

/// <summary>The internal calls' messages: each is written and read through its one JsonTypeInfo, so what one end writes
/// the other reads field for field (a renamed field changes both); a message read strictly by its own type refuses another
/// message's fields; and no message is a bag of optional fields.</summary>
public sealed class InternalProtocolTests
{
    private static readonly DispatchOptions Dispatch = new();
    private static readonly DateTimeOffset Deadline = new(2026, 12, 8, 1, 2, 3, TimeSpan.Zero);

    [Fact]
    public void ARun_RoundTripsThroughItsOneTypeInfo_AndIsValid()
    {
        var sent = RunJobRequest.For("job-1", "run-2", TimeSpan.FromSeconds(30), hop: 3, predecessor: "run-1");

        var read = RoundTrip(sent, RunsJsonContext.Default.RunJobRequest, out var errors);

        Assert.True(errors.IsEmpty);
        Assert.Equal(sent, read);
        Assert.Equal(BatchActions.Dispatch, read.Action);
        read.Validate(errors, Dispatch);
        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void ANode_RoundTripsThroughItsOneTypeInfo_AndIsValid()
    {
        var work = new NodeWork("run-2", new ChunkSpan(16, 8), [new ChunkSpan(17, 2), new ChunkSpan(20, 4)], Depth: 3, Slots: 5, Marks: "01-01-10");
        var sent = TreeNodeRequest.For("job-1", work, QuotePass.PassName, TimeSpan.FromSeconds(12), Deadline);

        var read = RoundTrip(sent, RunsJsonContext.Default.TreeNodeRequest, out var errors);

        Assert.True(errors.IsEmpty);
        Assert.Equal(BatchActions.DispatchNode, read.Action);
        Assert.Equal((sent.JobId, sent.RunId, sent.Depth, sent.Span, sent.Marks, sent.Pass, sent.Slots, sent.BudgetMs, sent.Deadline),
            (read.JobId, read.RunId, read.Depth, read.Span, read.Marks, read.Pass, read.Slots, read.BudgetMs, read.Deadline));
        Assert.Equal([[17, 2], [20, 4]], read.Pending!);
        read.Validate(errors, Dispatch);
        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void AChunk_CarriesItsStoredItemLinesAsAnArray_AndItsOptionsAsTheyStand()
    {
        var options = JsonDocument.Parse("""{"top":3}""").RootElement;
        var sent = new ProcessChunkRequest
        {
            Action = BatchActions.ProcessChunk, JobId = "job-1", Chunk = 7, Processor = "wordcount", Depth = 4, RunId = "run-2", Deadline = Deadline,
            Options = RawJson.Of(options), Items = RawJson.OfLines("\"a b\"\n{\"x\":[1,2]}\n3\n"u8.ToArray()),
        };

        var body = JsonSerializer.SerializeToUtf8Bytes(sent, FanOutJsonContext.Default.ProcessChunkRequest);
        var root = JsonDocument.Parse(body).RootElement;
        var errors = new FieldErrors();
        var read = JsonRequest.Read(root, FanOutJsonContext.Default.ProcessChunkRequest, errors)!.WithRawFieldsOf(root);

        Assert.True(errors.IsEmpty);
        Assert.Equal("""["a b",{"x":[1,2]},3]""", read.ItemsElement.GetRawText());
        Assert.Equal("""{"top":3}""", read.OptionsElement.GetRawText());
        Assert.Equal((sent.JobId, sent.Chunk, sent.Processor, sent.Depth, sent.RunId, sent.Deadline), (read.JobId, read.Chunk, read.Processor, read.Depth, read.RunId, read.Deadline));
        // What a signature names comes first, so that the check stops reading early.
        Assert.Equal(["action", "jobId", "depth"], root.EnumerateObject().Take(3).Select(p => p.Name));
    }

    [Fact]
    public void AQuoteCountAndANotice_RoundTripThroughTheirOneTypeInfo()
    {
        var count = new CountQuotesRequest { JobId = "job-1", Chunk = 3, Depth = 2, Source = new SourceReference { Container = "in", Blob = "a.csv", Format = SourceFormat.Csv, Start = 10, End = 20 } };
        var notice = new NotifyJobRequest { JobId = "job-1" };

        var readCount = RoundTrip(count, FanOutJsonContext.Default.CountQuotesRequest, out var countErrors);
        var readNotice = RoundTrip(notice, NoticesJsonContext.Default.NotifyJobRequest, out var noticeErrors);

        Assert.True(countErrors.IsEmpty && noticeErrors.IsEmpty);
        Assert.Equal((BatchActions.CountQuotes, 3, 2, 10L, 20L, SourceFormat.Csv), (readCount.Action, readCount.Chunk, readCount.Depth, readCount.Source!.Start, readCount.Source.End, readCount.Source.Format));
        Assert.Equal(notice, readNotice);
    }

    [Fact]
    public void ARunsMessage_DoesNotPassForANode_NorANodesForARun()
    {
        var node = JsonSerializer.SerializeToElement(
            TreeNodeRequest.For("job-1", new NodeWork("run-2", new ChunkSpan(0, 4), [new ChunkSpan(0, 4)], 2, 1), ChunkPass.PassName, TimeSpan.FromSeconds(5), Deadline),
            RunsJsonContext.Default.TreeNodeRequest);
        var run = JsonSerializer.SerializeToElement(RunJobRequest.For("job-1", "run-2", TimeSpan.FromSeconds(5), hop: 2, predecessor: "run-1"), RunsJsonContext.Default.RunJobRequest);
        var (asRun, asNode) = (new FieldErrors(), new FieldErrors());

        Assert.Null(JsonRequest.Read(node, RunsJsonContext.Default.RunJobRequest, asRun));
        Assert.Null(JsonRequest.Read(run, RunsJsonContext.Default.TreeNodeRequest, asNode));
        Assert.Contains("first", asRun.ToDictionary().Keys);
        Assert.Contains("hop", asNode.ToDictionary().Keys);
    }

    [Theory]
    [InlineData(typeof(RunJobRequest))]
    [InlineData(typeof(TreeNodeRequest))]
    [InlineData(typeof(ProcessChunkRequest))]
    [InlineData(typeof(CountQuotesRequest))]
    [InlineData(typeof(NotifyJobRequest))]
    [InlineData(typeof(NodeAnswer<ChunkTally>))]
    [InlineData(typeof(NodeAnswer<QuoteTally>))]
    [InlineData(typeof(ChunkTally))]
    [InlineData(typeof(QuoteTally))]
    [InlineData(typeof(ChunkResult))]
    [InlineData(typeof(QuoteCount))]
    public void NoMessageOrAnswerHasMoreThanEightOptionalFields(Type message)
    {
        var nullability = new NullabilityInfoContext();
        var optional = message.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && (Nullable.GetUnderlyingType(p.PropertyType) is not null || nullability.Create(p).WriteState == NullabilityState.Nullable))
            .Select(p => p.Name).ToList();

        Assert.True(optional.Count <= 8, $"{message.Name}: {string.Join(", ", optional)}");
    }

    private static T RoundTrip<T>(T message, JsonTypeInfo<T> typeInfo, out FieldErrors errors) where T : class
    {
        errors = new FieldErrors();
        return JsonRequest.Read(JsonSerializer.SerializeToElement(message, typeInfo), typeInfo, errors)!;
    }
}
