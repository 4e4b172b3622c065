namespace PeftSharp.Generators.Common;

using System;
using System.Collections.Generic;

/// <summary>Conversions into <see cref="EquatableArray{T}"/>.</summary>
internal static class EquatableArrayExtensions
{
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items)
        where T : IEquatable<T> => new(items);
}
