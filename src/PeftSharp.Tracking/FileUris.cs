namespace PeftSharp.Tracking;

using System;
using System.IO;
using System.Text;

/// <summary><c>file://</c> URIs written the way MLflow writes them (Python's <c>pathlib.Path.as_uri()</c>).</summary>
internal static class FileUris
{
    public static string FromPath(string path)
    {
        string full = Path.GetFullPath(path).Replace('\\', '/');
        var uri = new StringBuilder("file://", full.Length + 16);

        // Windows paths keep their drive ("file:///C:/..."); POSIX paths already start with '/'.
        int start = 0;
        if (full.Length >= 2 && full[1] == ':')
        {
            uri.Append('/').Append(full, 0, 2);
            start = 2;
        }

        foreach (byte b in Encoding.UTF8.GetBytes(full[start..]))
        {
            // Python's quote(): letters, digits, "_.-~" and the '/' separator stay; every other byte is %XX.
            char c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '~' or '/'))
            {
                uri.Append(c);
            }
            else
            {
                uri.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return uri.ToString();
    }

    public static string ToPath(string fileUri)
    {
        if (!fileUri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("Not a file: URI.", nameof(fileUri));
        }

        string rest = fileUri[5..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            int pathStart = rest.IndexOf('/', 2);
            string authority = pathStart < 0 ? rest[2..] : rest[2..pathStart];
            if (authority.Length != 0 && !authority.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                throw new NotSupportedException(
                    "A file: tracking URI must name a local path (file:///absolute/path); remote hosts are not supported.");
            }

            rest = pathStart < 0 ? "/" : rest[pathStart..];
        }

        string path = Uri.UnescapeDataString(rest);

        // "/C:/dir" is how a URI carries a Windows drive path.
        if (path.Length >= 3 && path[0] == '/' && path[2] == ':' && char.IsAsciiLetter(path[1]))
        {
            path = path[1..];
        }

        return Path.GetFullPath(path);
    }
}
