namespace FanOut.LocalHost.Hosting;

/// <summary>One HTTP-triggered function, as functions.metadata describes it.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="ScriptFile">The assembly file that holds it.</param>
/// <param name="EntryPoint">Its method, <c>Namespace.Type.Method</c>.</param>
/// <param name="Route">Its route below the route prefix.</param>
/// <param name="Methods">HTTP methods it accepts (upper case); empty for any.</param>
/// <param name="AuthLevel">anonymous, function or admin.</param>
public sealed record HttpFunction(
    string Name, string ScriptFile, string EntryPoint, string Route, IReadOnlyList<string> Methods, string AuthLevel)
{
    /// <summary>True when a caller must present a key.</summary>
    public bool RequiresKey => !AuthLevel.Equals("anonymous", StringComparison.OrdinalIgnoreCase);
}
