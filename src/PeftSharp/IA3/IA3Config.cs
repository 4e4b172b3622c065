namespace PeftSharp;

/// <summary>An IA3 adapter's configuration, with the reference's fields (<c>IA3Config</c>).</summary>
public sealed record IA3Config : PeftConfig
{
    /// <inheritdoc />
    public override string PeftType => "IA3";

    /// <summary>
    /// The targets that are feed-forward layers, whose input IA3 scales (the reference's <c>feedforward_modules</c>);
    /// every other target has its output scaled. Null: none.
    /// </summary>
    public TargetModules? FeedforwardModules { get; init; }
}
