using System.Runtime.InteropServices;

namespace FanOut.Core.Processing;

/// <summary>A hash table keyed by byte strings, each with a <see cref="long"/> value: how <c>wordcount</c> counts
/// words without a string per occurrence (or per word: its keys live in one byte array). Entries keep the order
/// in which their keys were first added, and are never removed.</summary>
internal sealed class WordTable
{
    // Per process, so that which words collide cannot be planned in advance.
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();

    private const int ShortKey = 8;

    private int[] _buckets;    // entry index + 1 of each chain's head; 0: empty
    private Entry[] _entries;
    private byte[] _keys;
    private int _keysUsed;

    public WordTable(int capacity = 256)
    {
        capacity = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _buckets = new int[capacity];
        _entries = new Entry[capacity];
        _keys = new byte[capacity * 8];
    }

    /// <summary>How many keys it holds.</summary>
    public int Count { get; private set; }

    /// <summary>The key of entry <paramref name="index"/> (0 to Count - 1, in the order the keys were added).</summary>
    public ReadOnlySpan<byte> KeyAt(int index)
    {
        ref var entry = ref _entries[index];
        return _keys.AsSpan(entry.Offset, entry.Length);
    }

    /// <summary>The value of entry <paramref name="index"/>, to read or change.</summary>
    public ref long ValueAt(int index) => ref _entries[index].Value;

    /// <summary>The index of <paramref name="key"/>'s entry, added with value 0 if it had none.</summary>
    public int IndexOf(ReadOnlySpan<byte> key, out bool added)
    {
        var hash = Hash(key, out var tail);
        var buckets = _buckets;
        for (var i = buckets[hash & (buckets.Length - 1)] - 1; i >= 0;)
        {
            ref var entry = ref _entries[i];
            // A key of up to 8 bytes is all in its tail: compared as one number, not as bytes.
            if (entry.Hash == hash && entry.Length == key.Length && entry.Tail == tail
                && (key.Length <= ShortKey || _keys.AsSpan(entry.Offset, entry.Length).SequenceEqual(key)))
            {
                added = false;
                return i;
            }
            i = entry.Next;
        }
        added = true;
        return Add(key, hash, tail);
    }

    private int Add(ReadOnlySpan<byte> key, int hash, ulong tail)
    {
        if (Count == _entries.Length)
        {
            Grow();
        }
        if (_keys.Length - _keysUsed < key.Length)
        {
            Array.Resize(ref _keys, (int)Math.Min(Array.MaxLength, Math.Max((long)_keys.Length * 2, (long)_keysUsed + key.Length)));
        }
        key.CopyTo(_keys.AsSpan(_keysUsed));
        var index = Count++;
        ref var bucket = ref _buckets[hash & (_buckets.Length - 1)];
        _entries[index] = new Entry { Hash = hash, Next = bucket - 1, Offset = _keysUsed, Length = key.Length, Tail = tail };
        bucket = index + 1;
        _keysUsed += key.Length;
        return index;
    }

    // Twice the entries and buckets (so at most one entry per bucket on average), chains rebuilt from the stored hashes.
    private void Grow()
    {
        Array.Resize(ref _entries, _entries.Length * 2);
        _buckets = new int[_entries.Length];
        for (var i = 0; i < Count; i++)
        {
            ref var bucket = ref _buckets[_entries[i].Hash & (_buckets.Length - 1)];
            _entries[i].Next = bucket - 1;
            bucket = i + 1;
        }
    }

    // Eight bytes at a time, multiplied and folded; the last 0 to 8 bytes read as one number, the tail (two
    // overlapping reads of 4, or the first, middle and last byte), which with the length tells every key of up to 8
    // bytes from every other; the length mixed in so that keys differing only in trailing zeros differ.
    private static int Hash(ReadOnlySpan<byte> key, out ulong tail)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = Seed ^ ((ulong)key.Length * Multiplier);
        var rest = key;
        while (rest.Length > ShortKey)
        {
            hash = (hash ^ MemoryMarshal.Read<ulong>(rest)) * Multiplier;
            hash ^= hash >> 29;
            rest = rest[8..];
        }
        tail = rest.Length switch
        {
            >= 4 => MemoryMarshal.Read<uint>(rest) | ((ulong)MemoryMarshal.Read<uint>(rest[^4..]) << 32),
            > 0 => rest[0] | ((ulong)rest[rest.Length / 2] << 8) | ((ulong)rest[^1] << 16),
            _ => 0,
        };
        hash = (hash ^ tail) * Multiplier;
        return (int)(hash >> 32) ^ (int)hash;
    }

    private struct Entry
    {
        public int Hash;
        public int Next;   // the next entry of the chain, -1 at its end
        public int Offset; // of the key in _keys
        public int Length;
        public long Value;
        public ulong Tail;  // of the key, as Hash reads it
    }
}
