namespace PeftSharp.Training.Experiments;

/// <summary>The value types a hyperparameter may have (each also as a nullable).</summary>
public enum ParameterKind
{
    /// <summary><see cref="int"/>.</summary>
    Whole32,

    /// <summary><see cref="long"/>.</summary>
    Whole64,

    /// <summary><see cref="double"/>.</summary>
    Real64,

    /// <summary><see cref="float"/>.</summary>
    Real32,

    /// <summary><see cref="bool"/>: <c>--flag</c>, <c>--flag true</c> or <c>--flag false</c>.</summary>
    Flag,

    /// <summary><see cref="string"/>.</summary>
    Text,

    /// <summary>An enum type, written by member name (case-insensitive).</summary>
    Choice,
}
