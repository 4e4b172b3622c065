namespace SentimentLora.Training;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using PeftSharp.Training;

/// <summary>
/// Passes the trainer's metrics on, times every optimizer step (the wall time between two <c>train/loss</c> reports:
/// data, forward, backward, update) and prints a progress line every <paramref name="every"/> steps.
/// </summary>
internal sealed class ProgressSink(IMetricSink inner, TextWriter output, long totalSteps, int reviewsPerStep, int every) : IMetricSink
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly List<double> stepMilliseconds = [];
    private readonly List<double> losses = [];
    private TimeSpan last;

    /// <summary>Wall time of each step so far, in milliseconds.</summary>
    public IReadOnlyList<double> StepMilliseconds => stepMilliseconds;

    /// <summary>Training loss of each step so far.</summary>
    public IReadOnlyList<double> Losses => losses;

    /// <summary>Mean step time, leaving out the first step (one-time allocation and warm-up).</summary>
    public double MeanStepMilliseconds
    {
        get
        {
            if (stepMilliseconds.Count < 2)
            {
                return stepMilliseconds.Count == 1 ? stepMilliseconds[0] : double.NaN;
            }

            var sum = 0.0;
            for (var i = 1; i < stepMilliseconds.Count; i++)
            {
                sum += stepMilliseconds[i];
            }

            return sum / (stepMilliseconds.Count - 1);
        }
    }

    /// <summary>Restarts the step clock (call right before training starts).</summary>
    public void Start() => last = clock.Elapsed;

    public void LogMetric(string key, double value, long step)
    {
        inner.LogMetric(key, value, step);
        if (key == "train/loss")
        {
            var now = clock.Elapsed;
            var milliseconds = (now - last).TotalMilliseconds;
            last = now;
            stepMilliseconds.Add(milliseconds);
            losses.Add(value);
            inner.LogMetric("time/step_ms", milliseconds, step);
            if (step % every == 0 || step == totalSteps || step == 1)
            {
                var mean = MeanStepMilliseconds;
                var remaining = TimeSpan.FromMilliseconds(mean * (totalSteps - step));
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"step {step,4}/{totalSteps}  loss {value:F4}  {mean / 1000:F2} s/step  {reviewsPerStep * 1000 / mean:F1} reviews/s  elapsed {Format(now)}  ETA {Format(remaining)}"));
            }
        }
        else if (key.StartsWith("eval/", StringComparison.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step,4}/{totalSteps}  {key} {value:F4}"));
        }
    }

    private static string Format(TimeSpan time) =>
        time.TotalHours >= 1 ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
