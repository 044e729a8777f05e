namespace FanOut.Samples.Enrich;

/// <summary>The <c>Enrich</c> section of the app's configuration (<c>Enrich__BaseUrl</c> as an app setting).
/// Never taken from a request: a job cannot point the app at another host.</summary>
public sealed class EnrichOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Enrich";

    /// <summary>The downstream API's root: items are read from <c>{BaseUrl}/items/{id}</c>.</summary>
    public Uri? BaseUrl { get; set; }
}
