namespace PeftSharp.Tests.Models;

using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using FluentAssertions;
using PeftSharp.Data.Sources.RData;
using Xunit;

public sealed class RSerializationReaderTests
{
    private const int Obj = 1 << 8, Attr = 1 << 9, Tag = 1 << 10, Utf8 = 8 << 12;

    [Fact]
    public void A_data_frame_with_factor_character_double_and_integer_columns_reads_back()
    {
        var frame = RDataFrame.From(RSerializationReader.Read(DataFrameBytes()), "df");

        frame.Names.Should().Equal("score", "review", "x", "n");
        frame.RowCount.Should().Be(3);
        frame.Column<string?>("score").Should().Equal("great", "other", "great");
        frame.Column<string?>("review").Should().Equal("caf\u00e9 <br />ok", null, "bad");
        frame.Column<double>("x").Should().Equal(0.5, -1.25, 1e300);
        frame.Column<int>("n").Should().Equal([10, 11, 12], "a compact_intseq ALTREP 10:12");
        var wrongType = () => frame.Column<int>("score");
        wrongType.Should().Throw<System.Collections.Generic.KeyNotFoundException>().WithMessage("*'score' holds String*");
    }

    [Fact]
    public void Every_truncation_fails_with_InvalidDataException()
    {
        var bytes = DataFrameBytes();
        for (var length = 0; length < bytes.Length; length++)
        {
            var act = () => RSerializationReader.Read(bytes.AsSpan(0, length).ToArray());
            act.Should().Throw<InvalidDataException>($"prefix of {length} bytes");
        }
    }

    [Fact]
    public void Unsupported_formats_and_impossible_lengths_are_named()
    {
        var ascii = () => RSerializationReader.Read(Encoding.ASCII.GetBytes("A\n3\n"));
        ascii.Should().Throw<InvalidDataException>().WithMessage("*'A'*only XDR*");

        var huge = new Xdr().Header().Int(13).Int(1_000_000).ToArray();
        var act = () => RSerializationReader.Read(huge);
        act.Should().Throw<InvalidDataException>().WithMessage("*vector length 1000000 is impossible*");

        var badReference = new Xdr().Header().Int(255 | (7 << 8)).ToArray();
        var reference = () => RSerializationReader.Read(badReference);
        reference.Should().Throw<InvalidDataException>().WithMessage("*reference 7*");
    }

    /// <summary>
    /// data.frame(score = factor(c("great","other","great")), review = c("café <br />ok", NA, "bad"),
    /// x = c(0.5, -1.25, 1e300), n = 10:12), serialized by hand as R does (version 3, XDR).
    /// </summary>
    private static byte[] DataFrameBytes()
    {
        var w = new Xdr().Header();
        w.Int(19 | Obj | Attr).Int(4);

        // Factor: codes, then attributes levels and class (symbols 1 and 2 of the reference table).
        w.Int(13 | Obj | Attr).Int(3).Int(1).Int(2).Int(1);
        w.Int(2 | Tag).Symbol("levels").Strings("great", "other");
        w.Int(2 | Tag).Symbol("class").Strings("factor").Int(254);

        w.Int(16).Int(3).Char("caf\u00e9 <br />ok").Int(9).Int(-1).Char("bad");
        w.Int(14).Int(3).Double(0.5).Double(-1.25).Double(1e300);

        // n = 10:12 as R >= 3.5 stores it: ALTREP compact_intseq with state (length, start, step).
        w.Int(238).Int(2).Symbol("compact_intseq").Int(2).Symbol("base").Int(2).Int(13).Int(1).Int(13).Int(254);
        w.Int(14).Int(3).Double(3).Double(10).Double(1).Int(254);

        // Attributes: names, class (a reference to symbol 2), row.names = c(NA, -3).
        w.Int(2 | Tag).Symbol("names").Strings("score", "review", "x", "n");
        w.Int(2 | Tag).Int(255 | (2 << 8)).Strings("data.frame");
        w.Int(2 | Tag).Symbol("row.names").Int(13).Int(2).Int(int.MinValue).Int(-3).Int(254);
        return w.ToArray();
    }

    private sealed class Xdr
    {
        private readonly System.Collections.Generic.List<byte> stream = [];

        public Xdr Header()
        {
            stream.AddRange("X\n"u8.ToArray());
            Int(3).Int(0x040300).Int(0x030500).Int(5);
            stream.AddRange("UTF-8"u8.ToArray());
            return this;
        }

        public Xdr Int(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, value);
            stream.AddRange(b.ToArray());
            return this;
        }

        public Xdr Double(double value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleBigEndian(b, value);
            stream.AddRange(b.ToArray());
            return this;
        }

        public Xdr Char(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Int(9 | Utf8).Int(bytes.Length);
            stream.AddRange(bytes);
            return this;
        }

        public Xdr Symbol(string name) => Int(1).Char(name);

        public Xdr Strings(params string[] values)
        {
            Int(16).Int(values.Length);
            foreach (var v in values)
            {
                Char(v);
            }

            return this;
        }

        public byte[] ToArray() => [.. stream];
    }
}
