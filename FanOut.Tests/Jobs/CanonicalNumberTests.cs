using System.Buffers;
using System.Text;
using System.Text.Json;
using FanOut.Core.Jobs;

namespace FanOut.Tests.Jobs;

/// <summary>A number's canonical spelling is its exact decimal value, read from its text: spellings of one value are
/// one, values a double would confuse stay apart, and an exponent of any length is read exactly, at once.</summary>
public sealed class CanonicalNumberTests
{
    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.0", "1")]
    [InlineData("1e0", "1")]
    [InlineData("10E-1", "1")]
    [InlineData("0.1e1", "1")]
    [InlineData("100e-2", "1")]
    [InlineData("1.000E+000", "1")]
    [InlineData("100", "100")]
    [InlineData("1e2", "100")]
    [InlineData("-2.50", "-25E-1")]
    [InlineData("0.001", "1E-3")]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("-0.000e-7", "0")]
    [InlineData("0e999999999999999999999", "0")]
    [InlineData("12345678901234567890123456789012", "12345678901234567890123456789012")]
    [InlineData("123456789012345678901234567890123", "123456789012345678901234567890123")]
    [InlineData("1000000000000000000000000000000000", "1E33")]
    [InlineData("1e40", "1E40")]
    [InlineData("0.10000000000000001", "10000000000000001E-17")]
    [InlineData("1e999999999999999999", "1E999999999999999999")]
    [InlineData("10e999999999999999998", "1E999999999999999999")]
    [InlineData("0.001e1000000000000000000", "1E999999999999999997")]
    [InlineData("1e-999999999999999999999", "1E-999999999999999999999")]
    [InlineData("0.01e-999999999999999999999", "1E-1000000000000000000001")]
    [InlineData("100e-1000000000000000000000", "1E-999999999999999999998")]
    [InlineData("-12.5e+0000000000000000000000000000003", "-12500")]
    public void Write_Spelling_IsTheValuesOneSpelling(string number, string canonical) =>
        Assert.Equal(canonical, Canonical(number));

    [Theory]
    [InlineData("0.1", "0.10000000000000001")]   // one double, two values
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("1e999999999999999999", "1e999999999999999998")]
    [InlineData("1", "-1")]
    [InlineData("1E-3", "1E3")]
    public void Write_TwoValues_AreSpelledApart(string a, string b) =>
        Assert.NotEqual(Canonical(a), Canonical(b));

    [Fact]
    public void Write_AnExponentOfAMillionDigits_IsReadExactly()
    {
        var digits = "1" + new string('0', 1_000_000);

        var canonical = Canonical("0.5e-" + digits);

        // 5 × 10^-(10^1000000 + 1)
        Assert.Equal("5E-1" + new string('0', 999_999) + "1", canonical);
    }

    [Fact]
    public void Write_EverySpelling_ReadsBackAsItsValue()
    {
        foreach (var number in new[] { "1.5", "-0.25e3", "12e-4", "3.14159", "1e300", "-7E-300" })
        {
            Assert.Equal(double.Parse(number, System.Globalization.CultureInfo.InvariantCulture),
                double.Parse(Canonical(number), System.Globalization.CultureInfo.InvariantCulture));
            using var document = JsonDocument.Parse(Canonical(number));   // and is a JSON number
            Assert.Equal(JsonValueKind.Number, document.RootElement.ValueKind);
        }
    }

    private static string Canonical(string number)
    {
        var output = new ArrayBufferWriter<byte>();
        CanonicalNumber.Write(Encoding.ASCII.GetBytes(number), output);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }
}
