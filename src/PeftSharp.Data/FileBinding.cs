namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Parquet.Schema;

/// <summary>The Parquet leaf fields of one file that each dataset input reads, with their types checked.</summary>
internal sealed class FileBinding
{
    private FileBinding(string path, DataField[][] fields, DataField? keyField)
    {
        Path = path;
        Fields = fields;
        KeyField = keyField;
    }

    public string Path { get; }

    /// <summary>For each input, its fields in column order.</summary>
    public DataField[][] Fields { get; }

    /// <summary>The split key column, when splitting by key.</summary>
    public DataField? KeyField { get; }

    public static FileBinding Bind(string path, ParquetSchema schema, IReadOnlyList<DataInput> inputs, string? keyColumn)
    {
        var fields = new DataField[inputs.Count][];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            fields[i] = input.Columns.Select(column => Check(path, input, column, Find(path, schema, column))).ToArray();
        }

        DataField? key = null;
        if (keyColumn is not null)
        {
            key = Find(path, schema, keyColumn);
            if (IsList(key) || !(IsString(key.ClrType) || IsInteger(key.ClrType)))
            {
                throw new InvalidDataException(
                    $"Split key column '{keyColumn}' in '{path}' has type {Describe(key)}; a key must be a string or integer column.");
            }
        }

        return new FileBinding(path, fields, key);
    }

    public static bool IsList(DataField field) => field.MaxRepetitionLevel > 0;

    public static bool IsString(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

    public static bool IsBinary(Type type) => type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>);

    public static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte)
        || type == typeof(uint) || type == typeof(ushort);

    public static bool IsNumeric(Type type) => IsInteger(type) || type == typeof(float) || type == typeof(double);

    /// <summary>The type as users know it: string, binary, list&lt;int64&gt;, double, ...</summary>
    public static string Describe(DataField field)
    {
        var type = field.ClrType;
        var name = IsString(type) ? "string"
            : IsBinary(type) ? "binary"
            : type == typeof(double) ? "double"
            : type == typeof(float) ? "float"
            : type == typeof(long) ? "int64"
            : type == typeof(int) ? "int32"
            : type == typeof(bool) ? "bool"
            : type.Name;
        return IsList(field) ? $"list<{name}>" : name;
    }

    private static DataField Find(string path, ParquetSchema schema, string column)
    {
        var field = schema.Fields.FirstOrDefault(f => string.Equals(f.Name, column, StringComparison.Ordinal))
            ?? throw new InvalidDataException(
                $"Column '{column}' not found in '{path}'. Columns present: {string.Join(", ", schema.Fields.Select(f => f.Name))}.");
        return field switch
        {
            DataField data => data,
            ListField { Item: DataField item } => item,
            _ => throw new InvalidDataException(
                $"Column '{column}' in '{path}' is a {field.SchemaType} of nested fields; map a plain column or a list of numbers."),
        };
    }

    private static DataField Check(string path, DataInput input, string column, DataField field)
    {
        var type = field.ClrType;
        var list = IsList(field);
        var (ok, expected) = input switch
        {
            NumberInput => (!list && IsNumeric(type), "numeric (float, double or integer)"),
            CategoryInput => (!list && (IsString(type) || IsInteger(type) || type == typeof(bool)), "string, integer or bool"),
            TextInput => (!list && IsString(type), "string"),
            TokenIdsInput => (list && IsInteger(type), "a list of integers (token ids)"),
            LabelInput => (!list && IsInteger(type), "integer (class index 0..classes-1)"),
            ImageInput { Format.Encoding: ImageEncoding.FloatChannelsHeightWidth } => (list && (type == typeof(float) || type == typeof(double)), "a list of float or double pixels"),
            ImageInput => (!list && IsBinary(type), "binary (image bytes)"),
            _ => (false, "a supported input kind"),
        };
        if (!ok)
        {
            throw new InvalidDataException(
                $"Column '{column}' in '{path}' has type {Describe(field)}; input '{input.Name}' ({input.GetType().Name}) needs {expected}.");
        }

        return field;
    }
}
