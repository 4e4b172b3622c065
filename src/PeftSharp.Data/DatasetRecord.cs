namespace PeftSharp.Data;

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// A dataset as MLflow records a run's dataset input (<c>runs/log-inputs</c>, <c>mlruns/&lt;exp&gt;/datasets/</c>):
/// plain strings, so the tracking layer can log it without depending on this library.
/// </summary>
/// <param name="Name">The dataset name.</param>
/// <param name="Digest">32 lowercase hex characters: SHA-256 of every file's bytes and of the input mapping.</param>
/// <param name="SourceType">Always <c>local</c> (files on this machine).</param>
/// <param name="Source">JSON: <c>{"uri": "file:///..."}</c>, plus <c>"files"</c> when there are several.</param>
/// <param name="Schema">JSON: <c>{"mlflow_colspec": [{"type", "name", "required"}]}</c> of the mapped columns.</param>
/// <param name="Profile">JSON: <c>{"num_rows", "num_files", "num_row_groups"}</c>.</param>
public sealed record DatasetRecord(string Name, string Digest, string SourceType, string Source, string Schema, string Profile)
{
    /// <summary>
    /// Checks that this dataset is the one a run was trained on (its logged digest), before reproducing the run.
    /// </summary>
    /// <exception cref="InvalidDataException">The digests differ: the data or its mapping changed.</exception>
    public void Verify(string expectedDigest)
    {
        ArgumentNullException.ThrowIfNull(expectedDigest);
        if (!string.Equals(expectedDigest.Trim(), Digest, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"Dataset '{Name}' has digest {Digest}, but the run being reproduced used {expectedDigest.Trim()}: the files or the column mapping changed. Use the original data to reproduce the run.");
        }
    }

    internal static async Task<DatasetRecord> ComputeAsync(ParquetDataset dataset, IReadOnlyList<FileBinding> bindings, CancellationToken cancellationToken)
    {
        var spec = dataset.Spec;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in spec.Files)
        {
            // Content only (not the path), length-prefixed so file boundaries count: moving the data keeps its digest.
            var stream = File.OpenRead(file);
            await using (stream.ConfigureAwait(false))
            {
                hash.AppendData(BitConverter.GetBytes(stream.Length));
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }
        }

        var schema = SchemaJson(spec, bindings[0]);
        hash.AppendData(Encoding.UTF8.GetBytes(schema));
        hash.AppendData(Encoding.UTF8.GetBytes(DescribeMapping(spec)));
        var digest = Convert.ToHexStringLower(hash.GetHashAndReset())[..32];

        var uris = spec.Files.Select(f => new Uri(Path.GetFullPath(f)).AbsoluteUri).ToArray();
        var source = uris.Length == 1
            ? JsonSerializer.Serialize(new Dictionary<string, object> { ["uri"] = uris[0] })
            : JsonSerializer.Serialize(new Dictionary<string, object> { ["uri"] = new Uri(CommonDirectory(spec.Files)).AbsoluteUri, ["files"] = uris });
        var profile = JsonSerializer.Serialize(new Dictionary<string, long>
        {
            ["num_rows"] = dataset.RowCount,
            ["num_files"] = spec.Files.Count,
            ["num_row_groups"] = dataset.RowGroups.Count,
        });
        return new DatasetRecord(spec.Name, digest, "local", source, schema, profile);
    }

    private static string SchemaJson(DatasetSpec spec, FileBinding binding)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var columns = new List<Dictionary<string, object>>();
        for (var i = 0; i < spec.Inputs.Count; i++)
        {
            for (var c = 0; c < spec.Inputs[i].Columns.Count; c++)
            {
                var name = spec.Inputs[i].Columns[c];
                if (!seen.Add(name))
                {
                    continue;
                }

                var field = binding.Fields[i][c];
                var type = MlflowType(field.ClrType);
                var column = new Dictionary<string, object> { ["type"] = FileBinding.IsList(field) ? "array" : type };
                if (FileBinding.IsList(field))
                {
                    column["items"] = new Dictionary<string, string> { ["type"] = type };
                }

                column["name"] = name;
                column["required"] = !field.IsNullable;
                columns.Add(column);
            }
        }

        return JsonSerializer.Serialize(new Dictionary<string, object> { ["mlflow_colspec"] = columns });
    }

    private static string MlflowType(Type type) =>
        FileBinding.IsString(type) ? "string"
        : FileBinding.IsBinary(type) ? "binary"
        : type == typeof(double) ? "double"
        : type == typeof(float) ? "float"
        : type == typeof(long) || type == typeof(uint) ? "long"
        : type == typeof(bool) ? "boolean"
        : "integer";

    // Everything about the mapping that changes what the model sees: kinds, columns, classes, lengths, vocabularies.
    private static string DescribeMapping(DatasetSpec spec)
    {
        var text = new StringBuilder();
        foreach (var input in spec.Inputs)
        {
            text.Append(input.GetType().Name).Append('|').Append(input.Name).Append('|').AppendJoin(',', input.Columns).Append('|');
            switch (input)
            {
                case LabelInput label:
                    text.Append(label.ClassCount);
                    break;
                case TokenIdsInput tokens:
                    text.Append(tokens.MaxLength).Append(',').Append(tokens.PaddingId);
                    break;
                case TextInput textInput:
                    text.Append(textInput.Encoder.MaxLength).Append(',').Append(textInput.Encoder.Tokenizer.GetType().Name);
                    break;
                case ImageInput image:
                    text.Append(image.Format.Encoding).Append(',').Append(image.Format.Channels).Append(',').Append(image.Format.Height).Append(',').Append(image.Format.Width);
                    break;
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string CommonDirectory(IReadOnlyList<string> files)
    {
        var directories = files.Select(f => Path.GetDirectoryName(Path.GetFullPath(f))!).ToArray();
        var common = directories[0];
        while (!directories.All(d => d == common || d.StartsWith(common + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            common = Path.GetDirectoryName(common) ?? "/";
        }

        return common;
    }
}
