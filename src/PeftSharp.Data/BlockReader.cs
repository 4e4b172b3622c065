namespace PeftSharp.Data;

using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;

/// <summary>Reads one row group's mapped columns into a <see cref="RowBlock"/>, checking every value on the way.</summary>
internal static class BlockReader
{
    public static async Task<RowBlock> ReadAsync(
        ParquetReader reader, FileBinding binding, RowGroupInfo group, IReadOnlyList<DataInput> inputs,
        SplitSpec? splits, DataSplit split, CancellationToken cancellationToken)
    {
        try
        {
            using var rowGroup = reader.OpenRowGroupReader(group.Index);
            var rows = group.Rows;
            var at = new Location(binding.Path, group.FirstRow);
            var payloads = new object[inputs.Count];
            var widths = new int[inputs.Count];

            // Decide split membership first, so rows of other splits are never decoded further than needed.
            int[]? keep = null;
            if (splits is not null && split != DataSplit.All)
            {
                var hashes = await KeyHashesAsync(rowGroup, binding.KeyField, group, at, cancellationToken).ConfigureAwait(false);
                var kept = new List<int>(rows);
                for (var r = 0; r < rows; r++)
                {
                    if (splits.Assign(hashes[r]) == split)
                    {
                        kept.Add(r);
                    }
                }

                keep = kept.Count == rows ? null : kept.ToArray();
            }

            for (var i = 0; i < inputs.Count; i++)
            {
                var fields = binding.Fields[i];
                widths[i] = inputs[i] is NumberInput ? fields.Length : 1;
                payloads[i] = await ReadInputAsync(rowGroup, inputs[i], fields, rows, at, cancellationToken).ConfigureAwait(false);
            }

            var ids = new long[rows];
            for (var r = 0; r < rows; r++)
            {
                ids[r] = group.FirstRow + r;
            }

            var block = new RowBlock(ids, payloads, widths);
            return keep is null ? block : block.Take(keep);
        }
        catch (Exception e) when (e is not (InvalidDataException or OperationCanceledException or OutOfMemoryException))
        {
            throw new InvalidDataException(
                $"Row group {group.Index} of '{binding.Path}' could not be read ({e.Message}); the file is corrupt. Recreate it from its source.", e);
        }
    }

    private static async Task<object> ReadInputAsync(
        ParquetRowGroupReader rowGroup, DataInput input, DataField[] fields, int rows, Location at, CancellationToken ct)
    {
        switch (input)
        {
            case NumberInput:
            {
                // Each column is decoded and converted in one sequential pass into a column-major buffer, then the
                // block is transposed once, tile by tile, to row-major: a batch of consecutive rows is then one copy,
                // and a shuffled row one cache line, instead of a strided gather per batch.
                var width = fields.Length;
                var columns = ArrayPool<float>.Shared.Rent(rows * width);
                try
                {
                    for (var c = 0; c < width; c++)
                    {
                        await ReadNumbersAsync(rowGroup, fields[c], rows, columns, 1, c * rows, at, ct).ConfigureAwait(false);
                    }

                    var values = new float[rows * width];
                    TransposeToRows(columns, rows, width, values);
                    return values;
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(columns);
                }
            }

            case LabelInput label:
            {
                var values = await ReadIntegersAsync(rowGroup, fields[0], rows, at, ct).ConfigureAwait(false);
                for (var r = 0; r < rows; r++)
                {
                    if (values[r] < 0 || values[r] >= label.ClassCount)
                    {
                        throw new InvalidDataException(
                            $"Label column '{fields[0].Name}' in '{at.Path}' has {values[r]} at row {at.FirstRow + r}; labels must be in 0..{label.ClassCount - 1} for {label.ClassCount} classes.");
                    }
                }

                return values;
            }

            case CategoryInput category:
            {
                var strings = await ReadCategoryStringsAsync(rowGroup, fields[0], rows, ct).ConfigureAwait(false);
                if (category.Vocabulary is null)
                {
                    return strings;
                }

                var indices = new long[rows];
                for (var r = 0; r < rows; r++)
                {
                    indices[r] = category.Vocabulary.IndexOf(strings[r]);
                }

                return indices;
            }

            case TextInput text:
            {
                var strings = await ReadStringsAsync(rowGroup, fields[0], rows, ct).ConfigureAwait(false);
                var ids = new int[rows][];
                for (var r = 0; r < rows; r++)
                {
                    ids[r] = text.Encoder.Encode(strings[r] ?? throw Null(fields[0], at, r, "text"));
                }

                return ids;
            }

            case TokenIdsInput tokens:
            {
                var (values, offsets) = await ReadListAsync(rowGroup, fields[0], rows, ct).ConfigureAwait(false);
                var result = new long[rows][];
                for (var r = 0; r < rows; r++)
                {
                    var length = Math.Min(offsets[r + 1] - offsets[r], tokens.MaxLength);
                    var row = new long[length];
                    for (var k = 0; k < length; k++)
                    {
                        var id = (long)values[offsets[r] + k];
                        if (id < 0 || (tokens.VocabularySize is { } size && id >= size))
                        {
                            throw new InvalidDataException(
                                $"Token id {id} at row {at.FirstRow + r} of column '{tokens.Column}' in '{at.Path}' is outside the vocabulary (0..{(tokens.VocabularySize ?? long.MaxValue) - 1}).");
                        }

                        row[k] = id;
                    }

                    result[r] = row;
                }

                return result;
            }

            case ImageInput image:
                return await ReadImagesAsync(rowGroup, image, fields[0], rows, at, ct).ConfigureAwait(false);

            default:
                throw new NotSupportedException($"Input kind {input.GetType().Name} is not supported.");
        }
    }

    private static async Task<object> ReadImagesAsync(
        ParquetRowGroupReader rowGroup, ImageInput image, DataField field, int rows, Location at, CancellationToken ct)
    {
        var format = image.Format;
        var size = format.Channels * format.Height * format.Width;
        if (format.Encoding == ImageEncoding.FloatChannelsHeightWidth)
        {
            var (values, offsets) = await ReadListAsync(rowGroup, field, rows, ct).ConfigureAwait(false);
            var result = new float[rows][];
            for (var r = 0; r < rows; r++)
            {
                var length = offsets[r + 1] - offsets[r];
                if (length != size)
                {
                    throw new InvalidDataException(
                        $"Image at row {at.FirstRow + r} of column '{image.Column}' in '{at.Path}' has {length} values; {format.Channels}x{format.Height}x{format.Width} needs {size}.");
                }

                var pixels = new float[size];
                for (var k = 0; k < size; k++)
                {
                    pixels[k] = (float)values[offsets[r] + k];
                }

                result[r] = pixels;
            }

            return result;
        }

        var bytes = new byte[]?[rows];
        await rowGroup.ReadAsync(field, bytes.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        var images = new byte[rows][];
        for (var r = 0; r < rows; r++)
        {
            var value = bytes[r] ?? throw Null(field, at, r, "image");
            if (format.Encoding == ImageEncoding.UInt8HeightWidthChannels && value.Length != size)
            {
                throw new InvalidDataException(
                    $"Image at row {at.FirstRow + r} of column '{image.Column}' in '{at.Path}' has {value.Length} bytes; {format.Height}x{format.Width}x{format.Channels} needs {size}.");
            }

            images[r] = value;
        }

        return images;
    }

    // rows x width, column-major -> row-major, in tiles of TileRows rows so the tile being written stays in L1.
    private static void TransposeToRows(float[] columns, int rows, int width, float[] target)
    {
        const int TileRows = 256;
        for (var first = 0; first < rows; first += TileRows)
        {
            var count = Math.Min(TileRows, rows - first);
            var tile = target.AsSpan(first * width, count * width);
            for (var c = 0; c < width; c++)
            {
                var column = columns.AsSpan((c * rows) + first, count);
                for (var r = 0; r < column.Length; r++)
                {
                    tile[(r * width) + c] = column[r];
                }
            }
        }
    }

    private static async Task<ulong[]> KeyHashesAsync(
        ParquetRowGroupReader rowGroup, DataField? key, RowGroupInfo group, Location at, CancellationToken ct)
    {
        var hashes = new ulong[group.Rows];
        if (key is null)
        {
            for (var r = 0; r < group.Rows; r++)
            {
                hashes[r] = StableHash.Mix(unchecked((ulong)(group.FirstRow + r)));
            }

            return hashes;
        }

        if (FileBinding.IsString(key.ClrType))
        {
            var strings = await ReadStringsAsync(rowGroup, key, group.Rows, ct).ConfigureAwait(false);
            for (var r = 0; r < group.Rows; r++)
            {
                hashes[r] = StableHash.OfString(strings[r] ?? throw Null(key, at, r, "split key"));
            }

            return hashes;
        }

        var values = await ReadIntegersAsync(rowGroup, key, group.Rows, at, ct).ConfigureAwait(false);
        for (var r = 0; r < group.Rows; r++)
        {
            hashes[r] = StableHash.Mix(unchecked((ulong)values[r]));
        }

        return hashes;
    }

    private static InvalidDataException Null(DataField field, Location at, int row, string what) =>
        new($"Column '{field.Name}' in '{at.Path}' is null at row {at.FirstRow + row}, where a {what} value is required; fill or drop missing values before training.");

    private static async Task<string?[]> ReadStringsAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken ct)
    {
        var values = new string?[rows];
        await rowGroup.ReadAsync(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        return values;
    }

    // Categories may be stored as strings, integers or bools; all become their invariant text. Nulls stay null (the unknown bucket).
    private static async Task<string?[]> ReadCategoryStringsAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken ct)
    {
        var type = field.ClrType;
        if (FileBinding.IsString(type))
        {
            return await ReadStringsAsync(rowGroup, field, rows, ct).ConfigureAwait(false);
        }

        if (type == typeof(bool))
        {
            var flags = await ReadNullableAsync<bool>(rowGroup, field, rows, ct).ConfigureAwait(false);
            return Array.ConvertAll(flags, f => f is { } b ? (b ? "true" : "false") : null);
        }

        var numbers = type == typeof(long) ? await ReadNullableAsync<long>(rowGroup, field, rows, ct).ConfigureAwait(false)
            : Array.ConvertAll(await ReadNullableIntegersAsync(rowGroup, field, rows, ct).ConfigureAwait(false), v => v);
        return Array.ConvertAll(numbers, n => n?.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<long?[]> ReadNullableIntegersAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken ct)
    {
        var type = field.ClrType;
        if (type == typeof(int))
        {
            return Array.ConvertAll(await ReadNullableAsync<int>(rowGroup, field, rows, ct).ConfigureAwait(false), v => (long?)v);
        }

        if (type == typeof(short))
        {
            return Array.ConvertAll(await ReadNullableAsync<short>(rowGroup, field, rows, ct).ConfigureAwait(false), v => (long?)v);
        }

        if (type == typeof(byte))
        {
            return Array.ConvertAll(await ReadNullableAsync<byte>(rowGroup, field, rows, ct).ConfigureAwait(false), v => (long?)v);
        }

        if (type == typeof(sbyte))
        {
            return Array.ConvertAll(await ReadNullableAsync<sbyte>(rowGroup, field, rows, ct).ConfigureAwait(false), v => (long?)v);
        }

        if (type == typeof(uint))
        {
            return Array.ConvertAll(await ReadNullableAsync<uint>(rowGroup, field, rows, ct).ConfigureAwait(false), v => (long?)v);
        }

        if (type == typeof(ushort))
        {
            return Array.ConvertAll(await ReadNullableAsync<ushort>(rowGroup, field, rows, ct).ConfigureAwait(false), v => (long?)v);
        }

        return await ReadNullableAsync<long>(rowGroup, field, rows, ct).ConfigureAwait(false);
    }

    private static async Task<T?[]> ReadNullableAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken ct)
        where T : struct
    {
        var result = new T?[rows];
        if (field.IsNullable)
        {
            await rowGroup.ReadAsync(field, result.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        }
        else
        {
            var values = new T[rows];
            await rowGroup.ReadAsync(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
            for (var r = 0; r < rows; r++)
            {
                result[r] = values[r];
            }
        }

        return result;
    }

    private static async Task<long[]> ReadIntegersAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, Location at, CancellationToken ct)
    {
        var values = await ReadNullableIntegersAsync(rowGroup, field, rows, ct).ConfigureAwait(false);
        var result = new long[rows];
        for (var r = 0; r < rows; r++)
        {
            result[r] = values[r] ?? throw Null(field, at, r, "label or key");
        }

        return result;
    }

    private static Task ReadNumbersAsync(
        ParquetRowGroupReader rowGroup, DataField field, int rows, float[] target, int stride, int offset, Location at, CancellationToken ct)
    {
        var type = field.ClrType;
        return type == typeof(double) ? ReadNumbersAsync<double>(rowGroup, field, rows, target, stride, offset, at, ct)
            : type == typeof(float) ? ReadNumbersAsync<float>(rowGroup, field, rows, target, stride, offset, at, ct)
            : type == typeof(long) ? ReadNumbersAsync<long>(rowGroup, field, rows, target, stride, offset, at, ct)
            : type == typeof(int) ? ReadNumbersAsync<int>(rowGroup, field, rows, target, stride, offset, at, ct)
            : type == typeof(short) ? ReadNumbersAsync<short>(rowGroup, field, rows, target, stride, offset, at, ct)
            : type == typeof(byte) ? ReadNumbersAsync<byte>(rowGroup, field, rows, target, stride, offset, at, ct)
            : type == typeof(sbyte) ? ReadNumbersAsync<sbyte>(rowGroup, field, rows, target, stride, offset, at, ct)
            : type == typeof(uint) ? ReadNumbersAsync<uint>(rowGroup, field, rows, target, stride, offset, at, ct)
            : ReadNumbersAsync<ushort>(rowGroup, field, rows, target, stride, offset, at, ct);
    }

    private static async Task ReadNumbersAsync<T>(
        ParquetRowGroupReader rowGroup, DataField field, int rows, float[] target, int stride, int offset, Location at, CancellationToken ct)
        where T : struct, INumberBase<T>
    {
        if (field.IsNullable)
        {
            var values = new T?[rows];
            await rowGroup.ReadAsync(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
            for (var r = 0; r < rows; r++)
            {
                target[(r * stride) + offset] = float.CreateTruncating(values[r] ?? throw Null(field, at, r, "numeric"));
            }
        }
        else
        {
            // A pooled buffer: a fresh one per column and row group is a large-object allocation, and the gen-2
            // collections those cause cost more than the decoding.
            var values = ArrayPool<T>.Shared.Rent(rows);
            try
            {
                await rowGroup.ReadAsync(field, values.AsMemory(0, rows), cancellationToken: ct).ConfigureAwait(false);
                for (var r = 0; r < rows; r++)
                {
                    target[(r * stride) + offset] = float.CreateTruncating(values[r]);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(values);
            }
        }
    }

    // A list column as flat values (as double, exact for int32 and for float pixels) and row offsets; a null or empty list is an empty row.
    private static async Task<(double[] Values, int[] Offsets)> ReadListAsync(
        ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken ct)
    {
        var type = field.ClrType;
        return type == typeof(long) ? await ReadListAsync<long>(rowGroup, field, rows, ct).ConfigureAwait(false)
            : type == typeof(int) ? await ReadListAsync<int>(rowGroup, field, rows, ct).ConfigureAwait(false)
            : type == typeof(short) ? await ReadListAsync<short>(rowGroup, field, rows, ct).ConfigureAwait(false)
            : type == typeof(float) ? await ReadListAsync<float>(rowGroup, field, rows, ct).ConfigureAwait(false)
            : await ReadListAsync<double>(rowGroup, field, rows, ct).ConfigureAwait(false);
    }

    private static async Task<(double[] Values, int[] Offsets)> ReadListAsync<T>(
        ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken ct)
        where T : struct, INumberBase<T>
    {
        var levels = checked((int)(rowGroup.GetMetadata(field)?.MetaData?.NumValues
            ?? throw new InvalidDataException($"Column chunk metadata is missing for '{field.Name}'.")));
        var values = new T[levels];
        var definitions = new int[levels];
        var repetitions = new int[levels];
        await rowGroup.ReadRawAsync(field, values.AsMemory(), definitions.AsMemory(), repetitions.AsMemory(), ct).ConfigureAwait(false);
        var flat = new double[levels];
        var offsets = new int[rows + 1];
        var row = -1;
        var count = 0;
        var next = 0;
        for (var i = 0; i < levels; i++)
        {
            if (repetitions[i] == 0)
            {
                row++;
                if (row >= rows)
                {
                    throw new InvalidDataException($"List column '{field.Name}' has more rows than its row group.");
                }

                offsets[row] = count;
            }

            if (definitions[i] == field.MaxDefinitionLevel)
            {
                flat[count++] = double.CreateTruncating(values[next++]);
            }
        }

        for (var r = row + 1; r <= rows; r++)
        {
            offsets[r] = count;
        }

        return (flat, offsets);
    }

    private readonly record struct Location(string Path, long FirstRow);
}
