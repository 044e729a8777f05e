using System.Buffers;
using System.Text.Json;
using FanOut.Core.Configuration;
using FanOut.Core.Contracts;
using FanOut.Core.Ledger;
using FanOut.Core.Requests;
using FanOut.Core.Sources;
using Microsoft.Extensions.Options;

namespace FanOut.Core.Chunks;

/// <summary>The records of a chunk, through one reader whatever holds them: a byte range of a source blob, of
/// the job's stored items (<see cref="ItemLines"/>), or the items of a standalone chunk, framed the same way.</summary>
internal sealed class ChunkRecords(SourceBlobs sources, IJobStore jobStore, IOptions<FanOutOptions> options)
{
    /// <summary>Checks where the chunk's records come from.</summary>
    public void Validate(ProcessChunkRequest request, FieldErrors errors)
    {
        if (request.Source is { Format: SourceFormat.Items } items)
        {
            // The job's own stored items: only the app names them, and only below the job's input folder.
            if (request.JobId is not { } jobId || !JobIds.IsValid(jobId) || items.Container != options.Value.Storage.Container
                || items.Blob is not { } blob || !blob.StartsWith(LedgerPaths.Inputs(jobId), StringComparison.Ordinal)
                || !blob.EndsWith(LedgerPaths.ItemsExtension, StringComparison.Ordinal) || blob.Contains("..", StringComparison.Ordinal)
                || items.Prefix is not null || items.Start < 0 || items.End < items.Start)
            {
                errors.Add("source", "Not the stored items of this chunk's job.");
            }
        }
        else if (request.Source is { } source)
        {
            sources.ValidateChunkReference(source, errors);
        }
        else if (request.ItemsElement.ValueKind != JsonValueKind.Array)
        {
            errors.Add("items", "Required: a JSON array of the chunk's items (or a source).");
        }
    }

    /// <summary>Hands each record to <paramref name="onRecord"/> and answers how many there were: those of the
    /// request's source, or else its <paramref name="items"/>. Lines of a source blob go to <paramref name="onLines"/>
    /// instead, when given, many at a time (<see cref="LineRecords.ReadBlocksAsync"/>). A source blob replaced or gone
    /// since the job was planned throws <see cref="Azure.RequestFailedException"/> (412, 404); an element of a JSON array that is
    /// not JSON throws <see cref="InvalidDataException"/>.</summary>
    public async Task<long> ReadAsync(ProcessChunkRequest request, InlineItems items, RecordHandler onRecord, LineBlockHandler? onLines = null)
    {
        if (request.Source is not { } range)
        {
            using var inline = ItemLines.Stream(items);
            return await ReadItemsAsync(inline, 0, inline.Length, onRecord).ConfigureAwait(false);
        }
        if (range.Format == SourceFormat.Items)
        {
            // A chunk of stored items ends exactly at its last newline: one read of exactly its bytes.
            var openAt = LineRecords.OpenAt(range.Start);
            using var stored = new MemoryStream(await jobStore.ReadInputRangeAsync(range.Blob!, openAt, (int)(range.End - openAt)).ConfigureAwait(false));
            return await ReadItemsAsync(stored, range.Start, range.End, onRecord).ConfigureAwait(false);
        }
        if (range.Format == SourceFormat.Json)
        {
            await using var elements = await sources.OpenReadAsync(range, range.Start, CancellationToken.None, range.End).ConfigureAwait(false);
            return await JsonArrayRecords.ReadAsync(elements, range.Start, range.End, onRecord).ConfigureAwait(false);
        }
        await using var stream = await sources.OpenReadAsync(range, LineRecords.OpenAt(range.Start), CancellationToken.None, range.End).ConfigureAwait(false);
        var csv = range.Format == SourceFormat.Csv;
        if (!csv && onLines is not null)
        {
            return await LineRecords.ReadBlocksAsync(stream, range.Start, range.End, onLines).ConfigureAwait(false);
        }
        var framing = csv ? RecordFraming.Csv(range.InQuotes ?? false, range.Start > 0) : RecordFraming.Lines();
        return await LineRecords.ReadAsync(stream, range.Start, range.End, framing, skipFirstRecord: csv, onRecord).ConfigureAwait(false);
    }

    /// <summary>As <see cref="ReadAsync(ProcessChunkRequest, InlineItems, RecordHandler, LineBlockHandler)"/>, for records added asynchronously: each
    /// record is copied out of the reader's buffer, and once the range is read, handed to <paramref name="onRecord"/>
    /// one at a time, in order, each awaited before the next. The chunk's records are held in memory meanwhile (a
    /// chunk is bounded), and the source is not kept open while they are processed.</summary>
    public async Task<long> ReadAsync(ProcessChunkRequest request, InlineItems items, Func<ReadOnlyMemory<byte>, CancellationToken, Task> onRecord,
        CancellationToken cancellationToken)
    {
        var copies = new ArrayBufferWriter<byte>();
        var ends = new List<int>();
        var count = await ReadAsync(request, items, record =>
        {
            copies.Write(record);
            ends.Add(copies.WrittenCount);
        }).ConfigureAwait(false);
        var start = 0;
        foreach (var end in ends)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await onRecord(copies.WrittenMemory[start..end], cancellationToken).ConfigureAwait(false);
            start = end;
        }
        return count;
    }

    private static async Task<long> ReadItemsAsync(Stream stream, long start, long end, RecordHandler onRecord)
    {
        byte[]? scratch = null;
        try
        {
            return await LineRecords.ReadAsync(stream, start, end, line => onRecord(ItemLines.Record(line, ref scratch))).ConfigureAwait(false);
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }
}
