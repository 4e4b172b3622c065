namespace PeftSharp.Data;

using System;
using System.Collections.Generic;

/// <summary>An image column decoded and normalised into float32 [batch, channels, height, width].</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Column">The column: binary (encoded PNG/JPEG/BMP/TGA/GIF, or raw uint8) or a list of floats.</param>
/// <param name="Format">How the column stores pixels, and the shape.</param>
public sealed record ImageInput(string Name, string Column, ImageFormat Format) : DataInput(Name)
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Columns => [Column];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        ArgumentNullException.ThrowIfNull(Format, nameof(Format));
        Format.Validate(Name);
    }
}
