namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using PeftSharp.Training.Engine;

/// <summary>
/// Shows training progress: in a terminal, one live line redrawn in place (bar, step, ETA, loss, samples/s, tokens/s,
/// resident memory, and on a GPU the process's GPU memory); when the output is a file or a pipe (CI), a plain line every <c>interval</c> and at the first and
/// last step, so logs stay readable. Evaluations get a line of their own.
/// </summary>
public sealed class ProgressReporter : ITrainingObserver
{
    private const int BarWidth = 24;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);
    private readonly TextWriter output;
    private readonly bool live;
    private readonly TimeSpan interval;
    private readonly string phase;
    private readonly int? gpu;
    private long startTimestamp;
    private long lastPrintTimestamp;
    private long firstStep;
    private long totalSteps;
    private long samples;
    private long tokens;
    private bool lineOpen;

    /// <summary>Creates a reporter.</summary>
    /// <param name="output">Where progress goes.</param>
    /// <param name="live">Redraw one line in place (a terminal); false prints plain lines.</param>
    /// <param name="interval">Plain mode: the time between lines (zero: every step).</param>
    /// <param name="phase">Shown before each line (<c>train</c>, <c>pretrain</c>).</param>
    /// <param name="gpu">The CUDA device trained on, whose memory the live line shows (read through NVML); null on the CPU.</param>
    public ProgressReporter(TextWriter output, bool live, TimeSpan interval, string phase, int? gpu = null)
    {
        this.gpu = gpu;
        this.output = output ?? throw new ArgumentNullException(nameof(output));
        this.live = live;
        this.interval = interval;
        this.phase = phase;
    }

    /// <summary>Whether <paramref name="output"/> is the console and the console is a terminal (not redirected).</summary>
    public static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    /// <inheritdoc />
    public void OnStart(long firstStep, long totalSteps)
    {
        this.firstStep = firstStep;
        this.totalSteps = totalSteps;
        samples = 0;
        tokens = 0;
        startTimestamp = Stopwatch.GetTimestamp();
        lastPrintTimestamp = 0;
    }

    /// <inheritdoc />
    public void OnStep(in TrainingStep step)
    {
        samples += step.Samples;
        tokens += step.Tokens;
        var now = Stopwatch.GetTimestamp();
        var due = lastPrintTimestamp == 0
            || step.Step == step.TotalSteps
            || Stopwatch.GetElapsedTime(lastPrintTimestamp, now) >= (live ? RedrawInterval : interval);
        if (!due)
        {
            return;
        }

        lastPrintTimestamp = now;
        var line = Format(step, Stopwatch.GetElapsedTime(startTimestamp, now));
        if (live)
        {
            // \r and clear-to-end-of-line: the line is rewritten in place.
            output.Write("\r" + line + "\u001b[K");
            lineOpen = true;
        }
        else
        {
            output.WriteLine(line);
        }

        output.Flush();
    }

    /// <inheritdoc />
    public void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        CloseLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phase} step {step}: ")
            + string.Join(", ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:G5}"))));
    }

    /// <inheritdoc />
    public void OnEnd()
    {
        CloseLine();
        output.Flush();
    }

    private void CloseLine()
    {
        if (lineOpen)
        {
            output.WriteLine();
            lineOpen = false;
        }
    }

    private string Format(in TrainingStep step, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        var fraction = step.TotalSteps > 0 ? Math.Clamp((double)step.Step / step.TotalSteps, 0, 1) : 0;
        text.Append(phase).Append(' ');
        if (live)
        {
            var filled = (int)Math.Round(fraction * BarWidth);
            text.Append('[').Append('#', filled).Append('.', BarWidth - filled).Append("] ");
        }

        var seconds = elapsed.TotalSeconds;
        var done = step.Step - firstStep;
        var remaining = done > 0 ? TimeSpan.FromSeconds(seconds / done * (step.TotalSteps - step.Step)) : TimeSpan.Zero;
        text.Append(CultureInfo.InvariantCulture, $"step {step.Step}/{step.TotalSteps} ({fraction * 100:F0}%) ETA {Duration(remaining)} loss {step.Loss:F4}");
        if (samples > 0 && seconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" {samples / seconds:N0} samples/s");
        }

        if (tokens > 0 && seconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" {tokens / seconds:N0} tokens/s");
        }

        if (live && ResidentMegabytes() is { } rss)
        {
            text.Append(CultureInfo.InvariantCulture, $" RSS {rss:N0} MB");
        }

        if (live && gpu is { } index && NvidiaGpus.ProcessMegabytes(index) is { } gpuMegabytes)
        {
            text.Append(CultureInfo.InvariantCulture, $" GPU {gpuMegabytes:N0} MB");
        }

        return text.ToString();
    }

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    private static double? ResidentMegabytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is not null && long.TryParse(line[6..].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb)
            ? kb / 1024.0
            : null;
    }
}
