namespace PeftSharp.Data;

/// <summary>How an image column stores its pixels.</summary>
public enum ImageEncoding
{
    /// <summary>Binary column with an encoded file (PNG, JPEG, BMP, TGA, GIF, PSD), decoded with StbImageSharp.</summary>
    Encoded,

    /// <summary>Binary column with raw uint8 pixels, channels-last (height, width, channels), 0-255.</summary>
    UInt8HeightWidthChannels,

    /// <summary>List column of float or double pixels, channels-first (channels, height, width), already scaled.</summary>
    FloatChannelsHeightWidth,
}
