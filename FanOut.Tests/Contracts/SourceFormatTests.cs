using System.Text.Json;
using FanOut.Core.Contracts;
using FanOut.Core.Requests;

namespace FanOut.Tests.Contracts;

/// <summary>The source format is a type inside and today's string on the wire: requests, manifests and chunk messages
/// written before it was a type read the same.</summary>
public sealed class SourceFormatTests
{
    [Theory]
    [InlineData("Lines", "lines")]
    [InlineData("Ndjson", "ndjson")]
    [InlineData("Csv", "csv")]
    [InlineData("Items", "items")]
    public void IsWrittenAndReadByItsWireName(string member, string name)
    {
        var format = Enum.Parse<SourceFormat>(member);
        var json = JsonSerializer.Serialize(new SourceReference { Container = "c", Blob = "b", Format = format }, FanOutJsonContext.Default.SourceReference);

        Assert.Contains($"\"format\":\"{name}\"", json);
        Assert.Equal(format, JsonSerializer.Deserialize(json, FanOutJsonContext.Default.SourceReference)!.Format);
    }

    [Theory]
    [InlineData("""{"format":"xml"}""")]
    [InlineData("""{"format":"CSV"}""")]
    [InlineData("""{"format":1}""")]
    public void AnUnknownName_IsTheFieldsError_WithTheNamesARequestMayGive(string body)
    {
        var errors = new FieldErrors();

        Assert.Null(JsonRequest.Read(JsonDocument.Parse(body).RootElement, FanOutJsonContext.Default.SourceReference, errors, "source."));

        var (field, messages) = Assert.Single(errors.ToDictionary());
        Assert.Equal("source.format", field);
        Assert.Equal(["Must be one of: lines, ndjson, csv, json."], messages);
    }
}
