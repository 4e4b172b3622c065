namespace PeftSharp.Tracking.Tests;

using System.Collections.Generic;
using System.IO;
using System.Linq;
using FluentAssertions;

/// <summary>Reads a written meta.yaml as its raw lines and as a key to raw-value map, to check the text exactly.</summary>
public static class YamlLines
{
    public static string[] Lines(string path)
    {
        string text = File.ReadAllText(path);
        text.Should().EndWith("\n").And.NotContain("\r");
        return text[..^1].Split('\n');
    }

    public static Dictionary<string, string> Map(string path) =>
        Lines(path).ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 2)..]);
}
