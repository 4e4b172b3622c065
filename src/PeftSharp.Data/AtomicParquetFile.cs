namespace PeftSharp.Data;

using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;

/// <summary>
/// Writes a Parquet file atomically: into a hidden temporary file beside it, moved over the path only when complete,
/// so an error, a cancellation or a crash never leaves a half-written file, and a previous file stays until replaced.
/// </summary>
public static class AtomicParquetFile
{
    /// <summary>Creates <paramref name="path"/> with <paramref name="schema"/>; <paramref name="write"/> writes its row groups and metadata.</summary>
    /// <param name="path">The file to create or replace; its folder is created when missing.</param>
    /// <param name="schema">The file's schema.</param>
    /// <param name="write">Writes the row groups through the open writer.</param>
    /// <param name="cancellationToken">Stops the write; the path is then left as it was.</param>
    public static async Task WriteAsync(string path, ParquetSchema schema, Func<ParquetWriter, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(write);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = File.Create(temporary);
            await using (stream.ConfigureAwait(false))
            {
                var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                await using (writer.ConfigureAwait(false))
                {
                    await write(writer).ConfigureAwait(false);
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
