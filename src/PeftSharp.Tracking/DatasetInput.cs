namespace PeftSharp.Tracking;

/// <summary>
/// A dataset a run used, as MLflow records it (<c>runs/log-inputs</c>; in the file store <c>&lt;exp&gt;/datasets/</c>
/// and <c>&lt;run&gt;/inputs/</c>).
/// </summary>
/// <param name="Name">The dataset name, at most 500 characters.</param>
/// <param name="Digest">A content digest (MLflow uses 32 hex characters; older versions 8), at most 36 characters.</param>
/// <param name="SourceType">Where the data came from: <c>local</c>, <c>http</c>, <c>s3</c>, <c>hugging_face</c>, ...</param>
/// <param name="Source">A JSON string describing the source, e.g. <c>{"uri": "/data/train.parquet"}</c>.</param>
/// <param name="Schema">A JSON schema string (<c>{"mlflow_colspec": [...]}</c>), or null.</param>
/// <param name="Profile">A JSON profile string (<c>{"num_rows": 569}</c>), or null.</param>
/// <param name="Context">The <c>mlflow.data.context</c> input tag: <c>training</c>, <c>validation</c>, <c>test</c>, ...</param>
public sealed record DatasetInput(
    string Name,
    string Digest,
    string SourceType,
    string Source,
    string? Schema = null,
    string? Profile = null,
    string Context = "training")
{
    /// <summary>The input tag that carries <see cref="Context"/>.</summary>
    public const string ContextTag = "mlflow.data.context";

    /// <summary>Checks MLflow's limits: name 1-500 characters, digest 1-36, source type 1-36, source up to 65535, schema and profile up to 1 MiB.</summary>
    /// <exception cref="System.ArgumentException">A field is missing or too long; the message names it.</exception>
    public void Validate()
    {
        Check(Name, nameof(Name), 500);
        Check(Digest, nameof(Digest), 36);
        Check(SourceType, nameof(SourceType), 36);
        Check(Source, nameof(Source), 65535);
        Check(Context, nameof(Context), 250);
        if (Schema is { Length: > 1048575 })
        {
            throw new System.ArgumentException($"Dataset '{Name}': the schema is longer than MLflow's 1 MiB limit.");
        }

        if (Profile is { Length: > 16384 })
        {
            throw new System.ArgumentException($"Dataset '{Name}': the profile is longer than MLflow's 16384-character limit.");
        }
    }

    private void Check(string? value, string field, int max)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new System.ArgumentException($"Dataset '{Name}': {field} must not be empty.");
        }

        if (value.Length > max)
        {
            throw new System.ArgumentException(string.Create(
                System.Globalization.CultureInfo.InvariantCulture, $"Dataset '{Name}': {field} has {value.Length} characters; MLflow allows at most {max}."));
        }
    }
}
