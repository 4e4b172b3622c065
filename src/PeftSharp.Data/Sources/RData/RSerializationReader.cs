namespace PeftSharp.Data.Sources.RData;

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

/// <summary>
/// Reads R's serialization format (<c>saveRDS</c>, <c>serialize</c>, lazy-load databases): XDR ("X\n"), versions 2
/// and 3. Enough of it for data: vectors of every atomic type, lists, pairlists, attributes, factors, data frames,
/// and the compact/wrapper ALTREP forms. Language objects and environments are consumed and kept opaque. Every length
/// is checked against the bytes left, so a truncated or hostile file fails with <see cref="InvalidDataException"/>.
/// </summary>
public sealed class RSerializationReader
{
    // SEXP type codes and the pseudo-types of serialize.c.
    private const int SymSxp = 1, ListSxp = 2, CloSxp = 3, EnvSxp = 4, PromSxp = 5, LangSxp = 6, SpecialSxp = 7, BuiltinSxp = 8;
    private const int CharSxp = 9, LglSxp = 10, IntSxp = 13, RealSxp = 14, CplxSxp = 15, StrSxp = 16, DotSxp = 17;
    private const int VecSxp = 19, ExprSxp = 20, BcodeSxp = 21, ExtptrSxp = 22, WeakrefSxp = 23, RawSxp = 24, ObjSxp = 25;
    private const int AltrepSxp = 238, AttrListSxp = 239, AttrLangSxp = 240, BaseEnvSxp = 241, EmptyEnvSxp = 242;
    private const int MissingArgSxp = 251, UnboundValueSxp = 252, GlobalEnvSxp = 253, NilValueSxp = 254, RefSxp = 255;
    private const int BaseNamespaceSxp = 250, NamespaceSxp = 249, PackageSxp = 248, PersistSxp = 247;
    private const int MaxDepth = 10_000;

    private readonly byte[] data;
    private readonly List<RObject> references = [];
    private int position;
    private int depth;

    private RSerializationReader(byte[] data) => this.data = data;

    /// <summary>Deserializes one R object from <paramref name="data"/> (uncompressed serialization bytes).</summary>
    /// <exception cref="InvalidDataException">Not XDR serialization, an unsupported version or type, or truncated data.</exception>
    public static RObject Read(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var reader = new RSerializationReader(data);
        reader.ReadHeader();
        var result = reader.ReadItem(reader.ReadInt());
        if (reader.position != data.Length)
        {
            throw reader.Error($"{data.Length - reader.position} bytes follow the object");
        }

        return result;
    }

    private void ReadHeader()
    {
        if (data.Length < 2 || data[0] != (byte)'X' || data[1] != (byte)'\n')
        {
            var kind = data.Length > 0 && data[0] is (byte)'A' or (byte)'B' ? $"'{(char)data[0]}' (ASCII or native binary)" : "unknown";
            throw new InvalidDataException($"R serialization format {kind} is not supported; only XDR ('X\\n', R's default) is.");
        }

        position = 2;
        var version = ReadInt();
        ReadInt(); // R version that wrote it
        ReadInt(); // oldest R version that can read it
        if (version == 3)
        {
            var nameLength = ReadInt();
            Take(nameLength, "native encoding name");
        }
        else if (version != 2)
        {
            throw Error($"serialization version {version} (supported: 2 and 3)");
        }
    }

    private RObject ReadItem(int flags)
    {
        if (++depth > MaxDepth)
        {
            throw Error($"objects nested deeper than {MaxDepth}");
        }

        try
        {
            return ReadItemCore(flags);
        }
        finally
        {
            depth--;
        }
    }

    private RObject ReadItemCore(int flags)
    {
        var type = flags & 0xFF;
        var levels = flags >> 12;
        var hasAttributes = (flags & (1 << 9)) != 0;
        var hasTag = (flags & (1 << 10)) != 0;
        switch (type)
        {
            case NilValueSxp:
            case EmptyEnvSxp:
            case BaseEnvSxp:
            case GlobalEnvSxp:
            case UnboundValueSxp:
            case MissingArgSxp:
            case BaseNamespaceSxp:
                return RNull.Instance;
            case RefSxp:
                var index = flags >> 8;
                if (index == 0)
                {
                    index = ReadInt();
                }

                if (index < 1 || index > references.Count)
                {
                    throw Error($"reference {index} to an object not read yet ({references.Count} known)");
                }

                return references[index - 1];
            case PersistSxp:
            case NamespaceSxp:
            case PackageSxp:
                ReadStringVector();
                var persisted = new ROpaque(type);
                references.Add(persisted);
                return persisted;
            case SymSxp:
                var symbol = new RSymbol(ReadCharacter(ReadInt()) ?? "NA");
                references.Add(symbol);
                return symbol;
            case EnvSxp:
                ReadInt(); // locked
                var environment = new ROpaque(EnvSxp);
                references.Add(environment);
                ReadItem(ReadInt()); // enclosure
                ReadItem(ReadInt()); // frame
                ReadItem(ReadInt()); // hash table
                ReadItem(ReadInt()); // attributes
                return environment;
            case ListSxp:
            case LangSxp:
            case CloSxp:
            case PromSxp:
            case DotSxp:
            case AttrLangSxp:
            case AttrListSxp:
                return ReadPairList(flags);
            case CharSxp:
                var text = ReadCharacter(flags);
                return new RStrings([text]);
            case AltrepSxp:
                return ReadAltrep();
            case BcodeSxp:
            case ExtptrSxp:
            case WeakrefSxp:
                throw Error($"R object type {type} (byte code, external pointer or weak reference) is not data and is not supported");
            default:
                var vector = ReadVector(type, levels);
                if (hasAttributes)
                {
                    vector.Attributes = ToAttributes(ReadItem(ReadInt()));
                }

                _ = hasTag;
                return vector;
        }
    }

    private RObject ReadVector(int type, int levels)
    {
        switch (type)
        {
            case LglSxp:
            case IntSxp:
                var ints = new int[ReadLength(4)];
                for (var i = 0; i < ints.Length; i++)
                {
                    ints[i] = ReadInt();
                }

                return new RIntegers(ints, type == LglSxp);
            case RealSxp:
            case CplxSxp:
                var count = ReadLength(type == CplxSxp ? 16 : 8);
                var doubles = new double[type == CplxSxp ? 2L * count : count];
                for (var i = 0; i < doubles.Length; i++)
                {
                    doubles[i] = BinaryPrimitives.ReadDoubleBigEndian(Take(8, "double"));
                }

                return new RDoubles(doubles, type == CplxSxp);
            case StrSxp:
                var strings = new string?[ReadLength(8)];
                for (var i = 0; i < strings.Length; i++)
                {
                    var flags = ReadInt();
                    if ((flags & 0xFF) != CharSxp)
                    {
                        throw Error($"element {i} of a character vector has type {flags & 0xFF}, not CHARSXP");
                    }

                    strings[i] = ReadCharacter(flags);
                }

                return new RStrings(strings);
            case VecSxp:
            case ExprSxp:
                var items = new RObject[ReadLength(4)];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = ReadItem(ReadInt());
                }

                return new RList(items);
            case RawSxp:
                Take(ReadLength(1), "raw vector");
                return new ROpaque(RawSxp);
            case SpecialSxp:
            case BuiltinSxp:
                Take(ReadInt(), "primitive name");
                return new ROpaque(type);
            case ObjSxp:
                return new ROpaque(ObjSxp);
            default:
                _ = levels;
                throw Error($"unknown R object type {type}");
        }
    }

    private RObject ReadPairList(int flags)
    {
        // Pairlists are read iteratively along their CDR chain, so long ones cannot overflow the stack.
        var firstType = flags & 0xFF;
        var items = new List<RObject>();
        var tags = new List<string?>();
        IReadOnlyList<KeyValuePair<string, RObject>> attributes = [];
        var first = true;
        while (true)
        {
            RObject? cellAttributes = (flags & (1 << 9)) != 0 ? ReadItem(ReadInt()) : null;
            string? tag = null;
            if ((flags & (1 << 10)) != 0)
            {
                tag = ReadItem(ReadInt()) switch
                {
                    RSymbol s => s.Name,
                    RStrings s when s.Values.Count == 1 => s.Values[0],
                    _ => null,
                };
            }

            if (first && cellAttributes is not null)
            {
                attributes = ToAttributes(cellAttributes);
            }

            first = false;
            items.Add(ReadItem(ReadInt()));
            tags.Add(tag);
            flags = ReadInt();
            if ((flags & 0xFF) is ListSxp or LangSxp or DotSxp or AttrLangSxp or AttrListSxp)
            {
                continue;
            }

            var tail = ReadItem(flags);
            if (tail is not RNull && firstType == ListSxp)
            {
                items.Add(tail);
                tags.Add(null);
            }

            break;
        }

        if (firstType is not (ListSxp or AttrListSxp))
        {
            return new ROpaque(firstType) { Attributes = attributes };
        }

        return new RList([.. items], [.. tags]) { Attributes = attributes };
    }

    private RObject ReadAltrep()
    {
        var info = ReadItem(ReadInt()) as RList;
        var className = info is { Items.Count: > 0 } && info.Items[0] is RSymbol symbol ? symbol.Name : "?";
        var state = ReadItem(ReadInt());
        var attributes = ToAttributes(ReadItem(ReadInt()));
        RObject result;
        switch (className)
        {
            case "compact_intseq" when state is RDoubles { Values.Count: 3 } s:
                result = new RIntegers(Sequence(s, v => checked((int)v)), logical: false);
                break;
            case "compact_realseq" when state is RDoubles { Values.Count: 3 } s:
                result = new RDoubles(Sequence(s, v => v), complex: false);
                break;
            case "wrap_integer" or "wrap_logical" or "wrap_real" or "wrap_complex" or "wrap_string" or "wrap_list" or "wrap_raw"
                when state is RList { Items.Count: >= 1 } wrapped:
                // The wrapper's state is (payload, metadata); the payload is an ordinary vector.
                result = wrapped.Items[0];
                break;
            default:
                throw Error($"ALTREP class '{className}' is not supported; re-save the data with plain vectors");
        }

        result.Attributes = attributes;
        return result;
    }

    private static T[] Sequence<T>(RDoubles state, Func<double, T> convert)
    {
        var n = state.Values[0];
        if (!(n >= 0 && n <= Array.MaxLength))
        {
            throw new InvalidDataException($"Malformed R compact sequence of length {n}.");
        }

        var values = new T[(int)n];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = convert(state.Values[1] + (i * state.Values[2]));
        }

        return values;
    }

    private string? ReadCharacter(int flags)
    {
        if ((flags & 0xFF) != CharSxp)
        {
            throw Error($"expected a CHARSXP, found type {flags & 0xFF}");
        }

        var length = ReadInt();
        string? result;
        if (length == -1)
        {
            result = null;
        }
        else
        {
            var bytes = Take(length, "string");
            var levels = flags >> 12;
            const int Latin1Mask = 1 << 2;
            result = (levels & Latin1Mask) != 0 ? Encoding.Latin1.GetString(bytes) : DecodeUtf8(bytes);
        }

        if ((flags & (1 << 9)) != 0)
        {
            ReadItem(ReadInt()); // old writers stored attributes on CHARSXPs; R ignores them too
        }

        return result;
    }

    private string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("a string is marked UTF-8 or native but is not valid UTF-8");
        }
    }

    private void ReadStringVector()
    {
        if (ReadInt() != 0)
        {
            throw Error("a persistent-name vector does not start with 0");
        }

        var count = ReadLength(8);
        for (var i = 0; i < count; i++)
        {
            ReadCharacter(ReadInt());
        }
    }

    private List<KeyValuePair<string, RObject>> ToAttributes(RObject pairList)
    {
        if (pairList is RNull)
        {
            return [];
        }

        if (pairList is not RList list)
        {
            throw Error($"attributes are a {pairList.Describe()}, not a pairlist");
        }

        var result = new List<KeyValuePair<string, RObject>>(list.Items.Count);
        for (var i = 0; i < list.Items.Count; i++)
        {
            result.Add(new(list.Tags[i] ?? string.Empty, list.Items[i]));
        }

        return result;
    }

    private int ReadLength(int minimumBytesPerElement)
    {
        var start = position;
        long length = ReadInt();
        if (length == -1)
        {
            length = ((long)ReadInt() << 32) + (uint)ReadInt();
        }

        if (length < 0 || length > Array.MaxLength || length > (data.Length - position) / minimumBytesPerElement)
        {
            position = start;
            throw Error($"vector length {length} is impossible with {data.Length - position} bytes left: the data is truncated or corrupt");
        }

        return (int)length;
    }

    private int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4, "integer"));

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count < 0 || count > data.Length - position)
        {
            throw Error($"{what} of {count} bytes runs past the end ({data.Length - position} left): the data is truncated");
        }

        var span = data.AsSpan(position, count);
        position += count;
        return span;
    }

    private InvalidDataException Error(string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Malformed R serialization at byte {position}: {message}."));
}
