using System.Net;
using System.Reflection;
using System.Text;
using FanOut.Functions;
using FanOut.LocalHost.Hosting;
using FanOut.Tests.Support;
using Microsoft.Azure.Functions.Worker;

namespace FanOut.Tests.LocalHost;

/// <summary>What LocalHost serves is what the Functions host would: the functions, routes, methods and
/// auth levels of the functions.metadata that the Worker SDK generated from the function classes.</summary>
[Collection(StorageCollection.Name)]
public sealed class LocalHostServesFunctionsMetadataTests(AzuriteFixture storage)
{
    [Fact]
    public void FunctionsMetadata_ListsEveryHttpFunctionOfTheFunctionApp_AsItsAttributesDeclare()
    {
        var declared = typeof(BatchFunction).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Select(f => (f.Method, f.Function, Trigger: f.Method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null)))
            .Where(f => f.Function is not null && f.Trigger is not null) // the watchdog's timer function is not served over HTTP
            .Select(f =>
            {
                var trigger = f.Trigger!;
                return new HttpFunction(
                    f.Function!.Name, "FanOut.Functions.dll", $"{f.Method.DeclaringType!.FullName}.{f.Method.Name}",
                    trigger.Route!, [.. trigger.Methods!.Select(m => m.ToUpperInvariant())], trigger.AuthLevel.ToString());
            })
            .OrderBy(f => f.Name)
            .ToList();

        var served = FunctionsMetadata.LoadHttpFunctions(AppContext.BaseDirectory).OrderBy(f => f.Name).ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(declared.Count, served.Count);
        foreach (var (expected, actual) in declared.Zip(served))
        {
            Assert.Equal(expected with { Methods = [] }, actual with { Methods = [] });
            Assert.Equal(expected.Methods, actual.Methods);
        }
    }

    [Fact]
    public async Task LocalHost_MethodNotInMetadata_IsNotServed()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings());

        using var put = await server.Client.PutAsync("api/batch", Json("{}")); // batch answers POST and GET (the list), not PUT
        using var other = await server.Client.PostAsync("api/elsewhere", Json("{}"));

        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);   // as the Functions host: no function has that route and method
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task LocalHost_FunctionAuthLevelWithKeyConfigured_RequiresTheKey()
    {
        await using var server = await LocalHostServer.StartAsync(storage.Settings(new() { ["FanOut:FunctionKey"] = "s3cret" }));
        var job = """{ "action": "start_fanout", "items": [1, 2, 3], "chunkSize": 1 }""";

        using var missing = await server.Client.PostAsync("api/batch", Json(job));
        using var wrong = await server.Client.PostAsync("api/batch?code=guess", Json(job));
        using var header = new HttpRequestMessage(HttpMethod.Post, "api/batch") { Content = Json(job), Headers = { { "x-functions-key", "s3cret" } } };
        using var right = await server.Client.SendAsync(header);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        // The self-calls carried the key too, or the chunks would have failed with 401.
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("\"succeeded\":3", await right.Content.ReadAsStringAsync());
        Assert.Equal(3, server.ProcessChunkRequests);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
