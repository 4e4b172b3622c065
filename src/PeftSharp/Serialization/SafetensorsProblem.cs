namespace PeftSharp.Serialization;

/// <summary>What is wrong with a safetensors file; each kind has its own message in <see cref="SafetensorsFormatException"/>.</summary>
public enum SafetensorsProblem
{
    /// <summary>The file is shorter than the 8-byte header length.</summary>
    FileTooShort,

    /// <summary>The header length is 0.</summary>
    EmptyHeader,

    /// <summary>The header length exceeds <see cref="Safetensors.MaxHeaderBytes"/>.</summary>
    HeaderTooLarge,

    /// <summary>The header length points past the end of the file.</summary>
    HeaderPastEndOfFile,

    /// <summary>The header bytes are not valid UTF-8.</summary>
    HeaderNotUtf8,

    /// <summary>The header is not well-formed JSON.</summary>
    HeaderNotJson,

    /// <summary>The header is JSON but not an object.</summary>
    HeaderNotObject,

    /// <summary>A name (tensor or metadata key) appears twice.</summary>
    DuplicateName,

    /// <summary>A tensor entry is not an object, or one of its fields is missing or has the wrong JSON type.</summary>
    InvalidEntry,

    /// <summary>A dtype string that is not a safetensors dtype.</summary>
    UnknownDType,

    /// <summary>A safetensors dtype that TorchSharp cannot hold (for example U16 or F8_E4M3).</summary>
    UnsupportedDType,

    /// <summary>A negative dimension, or a shape whose element count or byte size overflows.</summary>
    InvalidShape,

    /// <summary><c>data_offsets</c> is not <c>[begin, end]</c> with <c>0 &lt;= begin &lt;= end</c>.</summary>
    InvalidOffsets,

    /// <summary>A tensor's bytes extend beyond the end of the file.</summary>
    DataOutOfRange,

    /// <summary>A tensor's byte range does not equal its element count times its dtype size.</summary>
    SizeMismatch,

    /// <summary>Two tensors' byte ranges overlap.</summary>
    OverlappingTensors,

    /// <summary><c>__metadata__</c> is not an object of string values.</summary>
    InvalidMetadata,

    /// <summary>The file ended while reading a tensor's bytes (it was truncated after it was opened).</summary>
    Truncated,

    /// <summary>A BOOL tensor holds a byte other than 0 or 1.</summary>
    InvalidBoolValue,
}
