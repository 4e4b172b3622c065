namespace PeftSharp.Tests.Platform;

using System.Collections;
using System.Collections.Generic;
using Microsoft.Build.Framework;

/// <summary>A minimal MSBuild engine that records what a task logs.</summary>
public sealed class RecordingBuildEngine : IBuildEngine
{
    public List<string> Errors { get; } = new();

    public List<string> Messages { get; } = new();

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => "test.proj";

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;

    public void LogCustomEvent(CustomBuildEventArgs e)
    {
    }

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e?.Message ?? string.Empty);

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e?.Message ?? string.Empty);

    public void LogWarningEvent(BuildWarningEventArgs e) => Errors.Add("warning: " + (e?.Message ?? string.Empty));
}
