using System.Reflection;
using FanOut.Core.Http;
using FanOut.Core.Readiness;
using FanOut.LocalHost.Adapters;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FanOut.LocalHost.Hosting;

/// <summary>Invokes one function for an ASP.NET Core request, binding its parameters as the worker
/// does for HTTP triggers: the request, the FunctionContext, a CancellationToken, and route values by name.
/// The function class is created per invocation from the request's DI scope. As the app's worker middleware does, it
/// answers 503 problem+json while a secret setting is an unresolved Key Vault reference or the storage check fails, and 500 problem+json with the invocation id for an exception
/// nothing handled.</summary>
internal sealed partial class FunctionInvoker
{
    private readonly HttpFunction _function;
    private readonly MethodInfo _method;
    private readonly MethodInvoker _invoke;
    private readonly ParameterInfo[] _parameters;
    private readonly ObjectFactory _create;
    private readonly LocalFunctionDefinition _definition;
    private readonly FunctionKey _key;

    public FunctionInvoker(HttpFunction function, Assembly assembly, string? functionKey)
    {
        var split = function.EntryPoint.LastIndexOf('.');
        var type = assembly.GetType(function.EntryPoint[..split], throwOnError: true)!;
        _method = type.GetMethod(function.EntryPoint[(split + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{function.EntryPoint} (function {function.Name}) was not found.");
        _function = function;
        _invoke = MethodInvoker.Create(_method);
        _parameters = _method.GetParameters();
        _create = ActivatorUtilities.CreateFactory(type, []);
        _definition = new LocalFunctionDefinition(function, _method);
        _key = new FunctionKey(functionKey);
    }

    public async Task InvokeAsync(HttpContext http)
    {
        if (!_key.Admits(http.Request, _function.RequiresKey))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        if (http.RequestServices.GetRequiredService<SecretReadiness>().Refusal is { } unresolved)
        {
            await ReplyWriter.WriteAsync(http.Response, unresolved);
            return;
        }
        if (await http.RequestServices.GetRequiredService<StorageReadiness>().CheckAsync(http.RequestAborted) is { } refusal)
        {
            await ReplyWriter.WriteAsync(http.Response, refusal);
            return;
        }
        var context = new LocalFunctionContext(http, _definition);
        try
        {
            await InvokeAsync(http, context);
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            LogUnhandled(http.RequestServices.GetRequiredService<ILogger<FunctionInvoker>>(), ex, _function.Name, context.InvocationId);
            http.Response.Clear();
            await ReplyWriter.WriteAsync(http.Response, HostReplies.Unhandled(context.InvocationId), context.InvocationId);
        }
    }

    private async Task InvokeAsync(HttpContext http, LocalFunctionContext context)
    {
        var request = new LocalHttpRequestData(http, context);
        var target = _method.IsStatic ? null : _create(http.RequestServices, []);
        var arguments = new object?[_parameters.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Bind(_parameters[i], http, context, request);
        }
        var returned = _invoke.Invoke(target, new Span<object?>(arguments));
        returned = returned switch
        {
            Task<HttpResponseData> task => await task,
            ValueTask<HttpResponseData> task => await task,
            Task task => await Completed(task),
            _ => returned,
        };
        switch (returned)
        {
            case LocalHttpResponseData response:
                await response.WriteToAsync(http.Response, http.RequestAborted);
                break;
            case null:
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                throw new NotSupportedException($"{_function.Name} returned {returned.GetType()}; LocalHost serves HttpResponseData.");
        }
    }

    private static async Task<object?> Completed(Task task)
    {
        await task;
        return null;
    }

    private static object? Bind(ParameterInfo parameter, HttpContext http, FunctionContext context, HttpRequestData request) =>
        parameter.ParameterType switch
        {
            var t when t == typeof(HttpRequestData) => request,
            var t when t == typeof(FunctionContext) => context,
            var t when t == typeof(CancellationToken) => context.CancellationToken,
            var t when t == typeof(string) => http.Request.RouteValues.TryGetValue(parameter.Name!, out var v) ? v?.ToString() : null,
            _ => throw new NotSupportedException($"LocalHost cannot bind parameter {parameter.Name} of type {parameter.ParameterType}."),
        };

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} (invocation {InvocationId}) failed with an exception nothing handled; answered 500 problem+json")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string function, string invocationId);
}
