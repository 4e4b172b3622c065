namespace PeftSharp.Data;

using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;

/// <summary>
/// Identifies a dataset's content: a digest of the file bytes and the mapped columns, so a run can later be
/// reproduced on exactly the same data.
/// </summary>
/// <param name="Digest">32 lowercase hex characters (MLflow's current dataset digest length).</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="Source">The file the data was read from.</param>
public sealed record DatasetFingerprint(string Digest, int Rows, string Source)
{
    /// <summary>Fingerprints <paramref name="path"/> as read through <paramref name="columns"/>.</summary>
    public static DatasetFingerprint Compute(string path, TabularColumns columns, int rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = File.OpenRead(path))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        // The column mapping is part of the identity: the same file read with other columns is other data.
        hash.AppendData(Encoding.UTF8.GetBytes(string.Join('\n', columns.All)));
        var digest = Convert.ToHexStringLower(hash.GetHashAndReset())[..32];
        return new DatasetFingerprint(digest, rows, Path.GetFullPath(path));
    }
}
