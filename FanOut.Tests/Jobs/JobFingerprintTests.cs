using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using CsCheck;
using FanOut.Core.Jobs;
using FanOut.Core.Ledger;
using FanOut.Core.Processing;
using FanOut.Core.Requests;

namespace FanOut.Tests.Jobs;

/// <summary>Two requests that mean the same have one fingerprint: members in any order (at any depth, in the options
/// and in items), numbers of one exact value however spelled, strings however escaped, any whitespace; a request
/// that means anything else has another. A manifest stored before the rule is matched by the request as written.</summary>
public sealed class JobFingerprintTests
{
    private static readonly string[] Names = ["a", "aa", "b", "id", "Z", "x/y", "a"];

    // Any options object and items array (from a seed), each spelled two ways, and a third request with one value changed.
    private static readonly Gen<(string OptionsA, string ItemsA, string OptionsB, string ItemsB, string OptionsC, string ItemsC)> Requests =
        Gen.Int.Select(seed =>
        {
            var random = new Pen(seed);
            var options = JsonModel.NewObject(random, depth: 1);
            var items = new JsonModel.Array([.. Enumerable.Range(0, random.Next(0, 6)).Select(_ => JsonModel.Any(random, depth: 1))]);
            var (changedOptions, changedItems) = random.Next(2) == 0 ? (options.Changed(random), (JsonModel)items) : ((JsonModel)options, items.Changed(random));
            return (options.Spell(random.Anew()), items.Spell(random), options.Spell(random.Anew()), items.Spell(random),
                changedOptions.Spell(random.Anew()), changedItems.Spell(random));
        });

    [Fact]
    public void Of_RespelledRequests_AreOne_AndAChangedValueIsAnother()
    {
        Requests.Sample(r =>
        {
            var first = Fingerprint(r.OptionsA, r.ItemsA);

            Assert.Equal(first, Fingerprint(r.OptionsB, r.ItemsB));
            Assert.NotEqual(first, Fingerprint(r.OptionsC, r.ItemsC));
        }, iter: 1000);
    }

    [Fact]
    public void Of_CompactObjectsInAnyOrder_AreOne()
    {
        // Spelled with nothing to unescape: the spelling the fingerprint may take as it is, so the order of the names
        // must be checked on the way (nested, with members of one name, and with names that are prefixes of others).
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var members = Enumerable.Range(0, random.Next(1, 6))
                .Select(i => (Name: Names[random.Next(Names.Length)], Value: random.Next(3) == 0 ? "{\"k\":1,\"j\":[2,{\"b\":3,\"a\":4}]}" : $"{i}"))
                .ToList();
            string Spell() => "{" + string.Join(",", members.GroupBy(m => m.Name).OrderBy(_ => random.Next())
                .SelectMany(g => g).Select(m => $"\"{m.Name}\":{m.Value}")) + "}";   // members of one name stay in their order

            var (a, b) = (Spell(), Spell());

            Assert.Equal(Fingerprint(a, $"[{a}]"), Fingerprint(b, $"[{b}]"));
            Assert.Equal(Canonical(a), Canonical(b));
        }, iter: 1000);
    }

    [Fact]
    public void CanonicalJson_OfItsOwnSpelling_IsThatSpelling()
    {
        // A value already spelled canonically is written as it is after one pass (no reader): that pass must agree
        // with the reader's way, so spelling the spelling again changes nothing, whichever way each was written.
        Requests.Sample(r =>
        {
            var once = Canonical(r.ItemsA);

            Assert.Equal(once, Canonical(once));
            Assert.Equal(once, Canonical(r.ItemsB));
        }, iter: 1000);
    }

    [Theory]
    [InlineData("""{"top":3,"lowercase":true}""", """{"lowercase":true,"top":3}""")]
    [InlineData("""{"a":{"x":1,"y":[1,{"q":1,"p":2}]}}""", """{ "a" : { "y" : [ 1.0, { "p" : 2e0, "q" : 10E-1 } ] , "x" : 1 } }""")]
    [InlineData("""{"\u0041":"\u00e9"}""", """{"A":"é"}""")]
    [InlineData("""{"a":1,"b":0,"a":2}""", """{"b":0,"a":1,"a":2}""")]   // members of one name keep their order among themselves
    public void Of_OptionsOfOneMeaning_AreOneFingerprint(string a, string b) =>
        Assert.Equal(Fingerprint(a, "[]"), Fingerprint(b, "[]"));

    [Theory]
    [InlineData("""{"a":0.1}""", """{"a":0.10000000000000001}""")]
    [InlineData("""{"a":[1,2]}""", """{"a":[2,1]}""")]
    [InlineData("""{"a":1,"a":2}""", """{"a":2,"a":1}""")]   // which one a reader takes is the reader's: both are kept, in order
    [InlineData("""{"a":1,"a":2}""", """{"a":2}""")]
    [InlineData("""{"a":1}""", """{"a":"1"}""")]
    [InlineData("""{"a":null}""", """{}""")]
    [InlineData("""{"a":1e999999999999999999}""", """{"a":1e999999999999999998}""")]
    public void Of_OptionsOfAnotherMeaning_AreAnotherFingerprint(string a, string b) =>
        Assert.NotEqual(Fingerprint(a, "[]"), Fingerprint(b, "[]"));

    [Fact]
    public void Of_ItemsOfOneMeaning_AreOneFingerprint_ItemsInAnotherOrderAnother()
    {
        const string items = """["A",{"id":1,"tags":{"x":1,"y":[1,2]}},[0.5,100,1e400],"x"]""";
        const string respelled = """[ "\u0041" , {"tags":{"y":[1,2.0],"x":1e0},"id":1} , [5e-1, 1E2, 10e399] ,"x"]""";
        const string reordered = """["x",{"id":1,"tags":{"x":1,"y":[1,2]}},[0.5,100,1e400],"A"]""";

        Assert.Equal(Fingerprint(null, items), Fingerprint(null, respelled));
        Assert.NotEqual(Fingerprint(null, items), Fingerprint(null, reordered));
    }

    [Fact]
    public void Of_AnItemOfAHugeExponent_IsExact()
    {
        var exponent = "1" + new string('0', 100_000);   // 10^100000
        var twoMore = "1" + new string('0', 99_999) + "2";
        var oneMore = "1" + new string('0', 99_999) + "1";

        Assert.Equal(Fingerprint(null, $"[1e{exponent}]"), Fingerprint(null, $"[0.01e+000{twoMore}]"));
        Assert.NotEqual(Fingerprint(null, $"[1e{exponent}]"), Fingerprint(null, $"[0.01e{oneMore}]"));
    }

    [Fact]
    public void Matches_AManifestOfTheLegacyRule_ByTheRequestAsItWasWritten()
    {
        const string options = """{"b":1,"a":1.0}""";
        const string items = """[{"y":2,"x":1.50},"A"]""";
        var command = Command(options, items);
        // What the app stored before (JobFingerprint as it was): options and items as written, minified.
        var legacy = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(
            """{"processor":"count","chunkSize":1000,"toleratedFailurePercent":0,"chunkBytes":0,"options":{"b":1,"a":1.0},"items":[{"y":2,"x":1.50},"A"]}""")));
        var stored = new JobManifest { JobId = "j", Fingerprint = legacy, Processor = "count", InputBlob = "in" };

        Assert.Equal(legacy, JobFingerprint.Legacy(command));
        Assert.True(JobFingerprint.Matches(stored, command, JobFingerprint.Of(command)));
        Assert.False(JobFingerprint.Matches(stored, Command("""{"a":1.0,"b":1}""", items), JobFingerprint.Of(command)));
        var canonical = stored with { Fingerprint = JobFingerprint.Of(command), FingerprintVersion = JobFingerprint.Version };
        Assert.True(JobFingerprint.Matches(canonical, Command("""{"a":1,"b":1}""", """[{"x":1.5,"y":2},"\u0041"]"""), JobFingerprint.Of(command)));
        Assert.False(JobFingerprint.Matches(canonical with { FingerprintVersion = JobFingerprint.Version + 1 }, command, JobFingerprint.Of(command)));
    }

    private static string Canonical(string json)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            new CanonicalJson().Write(writer, Encoding.UTF8.GetBytes(json));
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Fingerprint(string? options, string items) => JobFingerprint.Of(Command(options, items));

    private static StartFanoutCommand Command(string? options, string items) => new(
        "j", new CountProcessor(), options is null ? default : JsonDocument.Parse(options).RootElement.Clone(),
        InlineItems.Of(Encoding.UTF8.GetBytes(items)), 1000, null, 0, 32, 0, 60);

    /// <summary>Random choices, and whether the spelling at hand is plain (no whitespace, no escape that can be left out,
    /// integers in full): the spelling the fingerprint takes as it is, after one pass, when members are in order.</summary>
    private sealed class Pen(int seed) : Random(seed)
    {
        public bool Plain { get; private set; }

        /// <summary>Itself, for a new spelling, plain or not (at random).</summary>
        public Pen Anew()
        {
            Plain = Next(2) == 0;
            return this;
        }
    }

    /// <summary>A JSON value by its meaning, spelled in any of its ways.</summary>
    private abstract record JsonModel
    {
        private static readonly string[] Texts = ["", "a", "Z9 ", "é", "東京", "😀", "\"", "\\", "<&>", "'+`", "\n\t", "x/y"];
        private static readonly string[] Spaces = ["", " ", "\n", "\r\n\t "];

        public static JsonModel Any(Random random, int depth) => random.Next(depth >= 3 ? 2 : 0, 8) switch
        {
            0 => NewObject(random, depth + 1),
            1 => new Array([.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => Any(random, depth + 1))]),
            2 or 3 => new Text(Pick(random, Texts) + Pick(random, Texts)),
            4 or 5 => Number.Random(random),
            _ => new Literal(Pick(random, ["true", "false", "null"])),
        };

        public static Object NewObject(Random random, int depth)
        {
            // Names distinct: the order among members of one name is part of the meaning (see the options tests).
            var names = Enumerable.Range(0, random.Next(0, 5)).Select(_ => Pick(random, Texts) + Pick(random, Texts)).Distinct();
            return new Object([.. names.Select(name => (name, Any(random, depth)))]);
        }

        /// <summary>One of its spellings.</summary>
        public abstract string Spell(Pen random);

        /// <summary>Itself with one value changed (another meaning).</summary>
        public abstract JsonModel Changed(Random random);

        protected static string Space(Pen random) => random.Plain ? "" : Pick(random, Spaces);

        protected static T Pick<T>(Random random, T[] choices) => choices[random.Next(choices.Length)];

        protected static string SpellString(Pen random, string text)
        {
            var spelled = new StringBuilder("\"");
            Span<char> units = stackalloc char[2];
            foreach (var rune in text.EnumerateRunes())
            {
                var plain = rune.Value is not ('"' or '\\') && rune.Value >= 0x20;
                if (plain && (random.Plain || random.Next(3) > 0))
                {
                    spelled.Append(rune.ToString());
                    continue;
                }
                var length = rune.EncodeToUtf16(units);
                for (var i = 0; i < length; i++)
                {
                    spelled.Append(units[i] switch
                    {
                        '"' when random.Next(2) == 0 => "\\\"",
                        '\\' when random.Next(2) == 0 => "\\\\",
                        '\n' when random.Next(2) == 0 => "\\n",
                        _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)units[i]:x4}"),
                    });
                }
            }
            return spelled.Append('"').ToString();
        }

        public sealed record Object(IReadOnlyList<(string Name, JsonModel Value)> Members) : JsonModel
        {
            public override string Spell(Pen random) =>
                "{" + string.Join(",", Members.OrderBy(_ => random.Next()).Select(m =>
                    Space(random) + SpellString(random, m.Name) + Space(random) + ":" + Space(random) + m.Value.Spell(random) + Space(random))) + "}";

            public override JsonModel Changed(Random random)
            {
                if (Members.Count == 0)
                {
                    return new Object([("added", new Literal("null"))]);
                }
                var at = random.Next(Members.Count);
                return new Object([.. Members.Select((m, i) => i == at ? (m.Name, m.Value.Changed(random)) : m)]);
            }
        }

        public sealed record Array(IReadOnlyList<JsonModel> Items) : JsonModel
        {
            public override string Spell(Pen random) =>
                "[" + string.Join(",", Items.Select(item => Space(random) + item.Spell(random) + Space(random))) + "]";

            public override JsonModel Changed(Random random)
            {
                if (Items.Count == 0)
                {
                    return new Array([new Literal("null")]);
                }
                var at = random.Next(Items.Count);
                return new Array([.. Items.Select((item, i) => i == at ? item.Changed(random) : item)]);
            }
        }

        public sealed record Text(string Value) : JsonModel
        {
            public override string Spell(Pen random) => SpellString(random, Value);

            public override JsonModel Changed(Random random) => new Text(Value + "x");
        }

        public sealed record Literal(string Value) : JsonModel
        {
            public override string Spell(Pen random) => Value;

            public override JsonModel Changed(Random random) => new Literal(Value switch { "true" => "false", "false" => "null", _ => "true" });
        }

        /// <summary>Sign × Digits (no leading or trailing zero; empty for zero) × 10^Scale.</summary>
        public sealed record Number(bool Negative, string Digits, BigInteger Scale) : JsonModel
        {
            public static Number Random(Random random)
            {
                if (random.Next(8) == 0)
                {
                    return new Number(false, "", 0);
                }
                var digits = (random.Next(1, 10) + string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => random.Next(10)))).TrimEnd('0');
                BigInteger scale = random.Next(-40, 40);
                if (random.Next(10) == 0)
                {
                    scale += BigInteger.Pow(10, random.Next(18, 30)) * (random.Next(2) == 0 ? 1 : -1);
                }
                return new Number(random.Next(2) == 0, digits, scale);
            }

            public override string Spell(Pen random)
            {
                if (Digits.Length == 0)
                {
                    return Pick(random, ["0", "-0", "0.0", "0e5", "-0.000E-3"]);
                }
                if (random.Plain && Scale >= 0 && Scale + Digits.Length <= 20)
                {
                    return (Negative ? "-" : "") + Digits + new string('0', (int)Scale);
                }
                // Digits and some zeros, with the point after any of them (or before, as 0.000ddd), and the exponent that keeps the value.
                var mantissa = Digits + new string('0', random.Next(0, 3));
                var fraction = random.Next(0, mantissa.Length + 3);
                var exponent = Scale - (mantissa.Length - Digits.Length) + fraction;
                var text = new StringBuilder(Negative ? "-" : "");
                text.Append(fraction >= mantissa.Length
                    ? "0." + new string('0', fraction - mantissa.Length) + mantissa
                    : mantissa[..^fraction] + (fraction > 0 ? "." + mantissa[^fraction..] : ""));
                if (exponent != 0 || random.Next(3) == 0)
                {
                    text.Append(Pick(random, ["e", "E"])).Append(exponent < 0 ? "-" : Pick(random, ["", "+"]))
                        .Append(new string('0', random.Next(0, 3))).Append(BigInteger.Abs(exponent).ToString(CultureInfo.InvariantCulture));
                }
                return text.ToString();
            }

            public override JsonModel Changed(Random random) => Digits.Length == 0 ? this with { Digits = "1" } : this with { Scale = Scale + 1 };
        }
    }
}
