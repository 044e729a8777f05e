using System.Globalization;

namespace FanOut.Cli;

/// <summary>Checks what the CLI sends on from its command line and environment (a key, a URL, a connection string)
/// before anything is sent: a CR or LF in a key would write a header of its own into the request, a control character
/// in a URL is trimmed or escaped by <see cref="Uri"/> into another address than the one meant, and a user name or
/// password in a URL is never sent (neither HttpClient nor the storage SDK uses it) but would be printed. Each is
/// refused (<see cref="UsageException"/>, exit 2) with a message that never quotes the value.</summary>
internal static class Inputs
{
    /// <summary>A function key: printable ASCII only (what a header value may carry unaltered); null when none is given
    /// (an empty FANOUT_KEY, a pipeline secret not set, is no key, as before).</summary>
    public static string? Key(string? key, string source)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }
        if (key.Any(c => c is < ' ' or > '~'))
        {
            throw new UsageException(
                $"The key ({source}) holds a character that is not printable ASCII (a CR, LF, tab or other control character): refused, nothing was sent.");
        }
        return key;
    }

    /// <summary>An absolute http(s) URL without control characters or user info.</summary>
    public static Uri Url(string url, string source)
    {
        Printable(url, source);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new UsageException($"{source} must be an absolute http(s) URL.");
        }
        if (uri.UserInfo.Length > 0)
        {
            throw new UsageException(
                $"{source} holds a user name or password (user info, before an @): refused, nothing was sent; the CLI never sends it (the key goes in --key or FANOUT_KEY).");
        }
        return uri;
    }

    /// <summary>A value sent on as it is (a connection string): no control, format or line-separator character.</summary>
    public static string Printable(string value, string source)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (!IsPrintable(value, i))
            {
                throw new UsageException(
                    $"{source} holds a control or non-printable character (e.g. a CR or LF) at position {(i + 1).ToString(CultureInfo.InvariantCulture)}: refused, nothing was sent.");
            }
        }
        return value;
    }

    private static bool IsPrintable(string value, int i)
    {
        if (char.IsSurrogate(value[i]))
        {
            return char.IsSurrogatePair(value, i) || (i > 0 && char.IsSurrogatePair(value, i - 1));
        }
        return char.GetUnicodeCategory(value[i]) is not (UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned);
    }
}
