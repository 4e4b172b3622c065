namespace PeftSharp.Data;

/// <summary>Which rows of a dataset a stream reads.</summary>
public enum DataSplit
{
    /// <summary>Every row.</summary>
    All,

    /// <summary>Training rows.</summary>
    Train,

    /// <summary>Validation rows.</summary>
    Validation,

    /// <summary>Test rows.</summary>
    Test,
}
