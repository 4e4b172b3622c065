namespace PeftSharp.Tracking.Tests;

using System;

/// <summary>A clock that stays where the test puts it.</summary>
public sealed class FixedTimeProvider : TimeProvider
{
    public FixedTimeProvider(long unixMs) => NowMs = unixMs;

    public long NowMs { get; set; }

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
}
