namespace PeftSharp.Training.Engine;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Optimizer steps whose loss and gradient norm are still on the device. Reading a value makes the host wait until the
/// device has finished everything queued. So on a GPU the trainer reads a window of steps at once, and in between the
/// host queues the next step while the GPU computes. <see cref="Flush"/> reads the window with one transfer, stops at
/// the first non-finite loss, and hands each step on in order.
/// </summary>
internal sealed class UnreadSteps : IDisposable
{
    private readonly List<(TrainingStep Step, Tensor Loss, Tensor? GradientNorm)> steps = [];

    /// <summary>Steps added since the last flush.</summary>
    public int Count => steps.Count;

    /// <summary>
    /// Adds a finished optimizer step; its <see cref="TrainingStep.Loss"/> is filled in by <see cref="Flush"/>. Takes
    /// ownership of <paramref name="loss"/> (a float64 scalar) and <paramref name="gradientNorm"/>.
    /// </summary>
    public void Add(TrainingStep step, Tensor loss, Tensor? gradientNorm) => steps.Add((step, loss, gradientNorm));

    /// <summary>
    /// Reads every unread step and passes it, with its loss and gradient norm (NaN without clipping), to
    /// <paramref name="publish"/> in order. The wait for the device counts towards the last step's duration.
    /// </summary>
    /// <param name="peakLearningRate">Named in the error message about a non-finite loss.</param>
    /// <param name="publish">Receives each step with its loss, and its gradient norm (NaN without clipping).</param>
    /// <exception cref="InvalidOperationException">A loss is NaN or infinite (the message names the step); the steps before it were published.</exception>
    public void Flush(double peakLearningRate, Action<TrainingStep, double> publish)
    {
        if (steps.Count == 0)
        {
            return;
        }

        var wait = Stopwatch.StartNew();
        double[] losses;
        double[] norms;
        if (steps.Count == 1)
        {
            // Every step on the CPU: two reads are cheaper than gathering.
            losses = [steps[0].Loss.item<double>()];
            norms = [steps[0].GradientNorm?.item<double>() ?? double.NaN];
        }
        else
        {
            using var scope = NewDisposeScope();
            using var noNorm = double.NaN.ToScalar();
            var tensors = new List<Tensor>(steps.Count * 2);
            foreach (var (_, loss, norm) in steps)
            {
                tensors.Add(loss.reshape(1));
                tensors.Add(norm is null ? full(1, noNorm, ScalarType.Float64, loss.device) : norm.reshape(1));
            }

            var values = cat(tensors).cpu().data<double>().ToArray();
            losses = new double[steps.Count];
            norms = new double[steps.Count];
            for (var i = 0; i < steps.Count; i++)
            {
                losses[i] = values[2 * i];
                norms[i] = values[(2 * i) + 1];
            }
        }

        var waited = wait.Elapsed;
        var pending = steps.ToArray();
        Clear();
        for (var i = 0; i < pending.Length; i++)
        {
            var step = pending[i].Step with { Loss = losses[i] };
            if (!double.IsFinite(step.Loss))
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The training loss became {step.Loss} at step {step.Step} (epoch {step.Epoch + 1}). Lower the learning rate ({peakLearningRate}), enable gradient clipping, or check the data for extreme values."));
            }

            publish(i == pending.Length - 1 ? step with { Duration = step.Duration + waited } : step, norms[i]);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Clear();

    private void Clear()
    {
        foreach (var (_, loss, norm) in steps)
        {
            loss.Dispose();
            norm?.Dispose();
        }

        steps.Clear();
    }
}
