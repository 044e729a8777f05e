using System.Text.Encodings.Web;
using System.Text.Json;
using FanOut.Core.Processing;
using FanOut.Core.Requests;
using FanOut.Tests.Support;

namespace FanOut.Tests.Processing;

/// <summary>The JSON the built-in processors write for partials, merges and results: fixed, since partials are
/// committed to storage and travel between instances of different builds.</summary>
public sealed class PartialJsonTests
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string, string, string[], string[], string> Cases => new()
    {
        { "count", "null", ["héllo", ""], ["abc"], """{"records":2,"bytes":6} | {"records":1,"bytes":3} | {"records":3,"bytes":9} | {"records":0,"bytes":0} | {"records":3,"bytes":9}""" },
        { "wordcount", """{ "top": 2 }""", ["b a c b", "z"], ["a d B"], """{"total":5,"words":{"b":2,"a":1,"c":1,"z":1}} | {"total":3,"words":{"a":1,"d":1,"B":1}} | {"total":8,"words":{"b":2,"a":2,"c":1,"z":1,"d":1,"B":1}} | {"total":0,"words":{}} | {"total":8,"distinct":6,"top":[{"word":"a","count":2},{"word":"b","count":2}]}""" },
        { "wordcount", """{ "lowercase": true }""", ["The THE the Ünd"], ["ünd x"], """{"total":4,"words":{"the":3,"\u00FCnd":1}} | {"total":2,"words":{"\u00FCnd":1,"x":1}} | {"total":6,"words":{"the":3,"\u00FCnd":2,"x":1}} | {"total":0,"words":{}} | {"total":6,"distinct":3,"top":[{"word":"the","count":3},{"word":"\u00FCnd","count":2},{"word":"x","count":1}]}""" },
        { "project", """{ "fields": ["id"], "where": { "field": "ok", "equals": true } }""", ["""{"id":1,"ok":true}""", "no"], ["""{"id":2,"ok":false}"""], """{"records":2,"emitted":1,"invalid":1} | {"records":1,"emitted":0,"invalid":0} | {"records":3,"emitted":1,"invalid":1} | {"records":0,"emitted":0,"invalid":0} | {"records":3,"emitted":1,"invalid":1}""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Partials_MergeAndResult_WriteTheSameJson(string name, string optionsJson, string[] first, string[] second, string expected)
    {
        var sut = Processor(name);
        var options = JsonDocument.Parse(optionsJson).RootElement;
        var a = ChunkRun.Partial(sut, options, first);
        var b = ChunkRun.Partial(sut, options, second);
        var merged = sut.Merge([a, b], options);

        var actual = string.Join(" | ", a.GetRawText(), b.GetRawText(), merged.GetRawText(), sut.Merge([], options).GetRawText(), sut.Finish(merged, options).GetRawText());

        Assert.Equal(expected, actual);
        Assert.Equal(a.GetRawText(), sut.Merge([a], options).GetRawText());
    }

    public static TheoryData<string, string, string> InvalidOptions => new()
    {
        { "count", """{ "top": 3 }""", """{"options.top":["This processor takes no options."]}""" },
        { "count", "[1]", """{"options":["Must be a JSON object."]}""" },
        { "count", "{}", """{}""" },
        { "count", "absent", """{}""" },
        { "wordcount", """{ "top": -1 }""", """{"options.top":["Must be between 0 and 10000."]}""" },
        { "wordcount", """{ "top": "many" }""", """{"options.top":["Must be an integer."]}""" },
        { "wordcount", """{ "top": 1.5 }""", """{"options.top":["Must be an integer."]}""" },
        { "wordcount", """{ "lowercase": 1 }""", """{"options.lowercase":["Must be true or false."]}""" },
        { "wordcount", """{ "lowercse": true }""", """{"options.lowercse":["Unknown field; did you mean lowercase?"]}""" },
        { "wordcount", """{ "Top": 3, "case": true }""", """{"options.Top":["Unknown field; did you mean top?"],"options.case":["Unknown field. Known fields: lowercase, top."]}""" },
        { "wordcount", "[1]", """{"options":["Must be a JSON object."]}""" },
        { "wordcount", "null", """{}""" },
        { "project", "{}", """{"options.fields":["Required: 1 to 100 property paths such as \"id\" or \"user.name\"."]}""" },
        { "project", """{ "fields": [] }""", """{"options.fields":["Required: 1 to 100 property paths such as \"id\" or \"user.name\"."]}""" },
        { "project", """{ "fields": "id" }""", """{"options.fields":["Must be a JSON value of the right kind."]}""" },
        { "project", """{ "fields": [" "] }""", """{"options.fields":["Required: 1 to 100 property paths such as \"id\" or \"user.name\"."]}""" },
        { "project", """{ "fields": ["id"], "where": { "field": "x" } }""", """{"options.where":["Must be { \"field\": \"path\", \"equals\": <JSON value> }."]}""" },
        { "project", """{ "fields": ["id"], "where": 3 }""", """{"options.where":["Must be a JSON value of the right kind."]}""" },
        { "project", """{ "fields": ["id"], "select": ["x"] }""", """{"options.select":["Unknown field. Known fields: fields, where."]}""" },
        { "project", "[1]", """{"options":["Must be a JSON object."]}""" },
        // The one change of the typed base: absent options are new ProjectOptions(), so the error names the
        // missing field instead of saying "options": "Must be a JSON object.".
        { "project", "absent", """{"options.fields":["Required: 1 to 100 property paths such as \"id\" or \"user.name\"."]}""" },
        { "project", "null", """{"options.fields":["Required: 1 to 100 property paths such as \"id\" or \"user.name\"."]}""" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void ValidateOptions_WritesTheSameErrors(string name, string optionsJson, string expected)
    {
        var errors = new FieldErrors();

        Processor(name).ValidateOptions(optionsJson == "absent" ? default : JsonDocument.Parse(optionsJson).RootElement, errors);

        var actual = JsonSerializer.Serialize(errors.ToDictionary(), Readable);
        Assert.Equal(expected, actual);
    }

    private static IChunkProcessor Processor(string name) => name switch
    {
        "count" => new CountProcessor(),
        "wordcount" => new WordCountProcessor(),
        _ => new ProjectProcessor(),
    };
}
