namespace PeftSharp.Data.Audio;

using System.Collections.Generic;

/// <summary>One alternative of a Debian dependency: a package, or a virtual package with the packages providing it.</summary>
/// <param name="Name">The package name (without angle brackets).</param>
/// <param name="IsVirtual">True for a virtual package (apt-cache shows it as &lt;name&gt;).</param>
/// <param name="Providers">Packages that provide it, as apt-cache lists them under the dependency.</param>
public sealed record DebianAlternative(string Name, bool IsVirtual, List<string> Providers);
