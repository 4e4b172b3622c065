namespace PeftSharp.Tracking.Tests.Fake;

using System;

public sealed class FakeErrorException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
