namespace PeftSharp.Training.Engine;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using PeftSharp.Training.Metrics;
using PeftSharp.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The training engine: AdamW over trainable parameters (no decay on biases and norms), warm-up and decay, gradient
/// accumulation and clipping, periodic evaluation with early stopping and best-step tracking, atomic checkpoints,
/// exact resume, cancellation, and a clear failure on a non-finite loss. One dispose scope per micro-batch keeps a
/// long run's native memory flat.
/// </summary>
/// <param name="options">Hyperparameters.</param>
/// <param name="metrics">Where per-step and evaluation metrics go.</param>
/// <param name="observer">Sees every step as it happens (progress, timing); null for none.</param>
public sealed class Trainer(TrainerOptions options, IMetricSink metrics, ITrainingObserver? observer = null)
{
    // Steps per read of the loss on CUDA: one device synchronisation per 32 steps instead of per step.
    private const int CudaLossReadInterval = 32;

    private readonly TrainerOptions options = Validate(options);
    private readonly IMetricSink metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));

    /// <summary>
    /// Trains <paramref name="model"/> (already on its device). <paramref name="computeLoss"/> runs the forward pass
    /// of one batch and returns the scalar loss; <paramref name="evaluate"/> (optional) returns evaluation metrics,
    /// which must include <see cref="TrainerOptions.MonitorMetric"/>. With <paramref name="resumeFrom"/>, training
    /// continues from that checkpoint exactly.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (the message names the step), or nothing trains.</exception>
    public TrainingOutcome Fit<TBatch>(
        nn.Module model,
        ITrainingData<TBatch> data,
        Func<TBatch, Tensor> computeLoss,
        Func<IReadOnlyDictionary<string, double>>? evaluate = null,
        string? resumeFrom = null,
        CancellationToken cancellationToken = default)
        where TBatch : IDisposable
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(computeLoss);
        if (data.BatchesPerEpoch <= 0)
        {
            throw new ArgumentException("The training data has no batches.", nameof(data));
        }

        using var optimizer = ParameterGroups.AdamW(model, options.LearningRate, options.WeightDecay);
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        var stepsPerEpoch = (data.BatchesPerEpoch + options.GradientAccumulationSteps - 1) / options.GradientAccumulationSteps;
        var totalSteps = (long)stepsPerEpoch * options.Epochs;
        var schedule = new LearningRateSchedule(Math.Min(options.WarmupSteps, totalSteps), totalSteps, options.Decay);
        var stopping = new EarlyStopping(options.EarlyStoppingPatience, options.HigherIsBetter);

        var state = new TrainerState();
        if (resumeFrom is not null)
        {
            state = TrainingCheckpoint.Restore(resumeFrom, model, optimizer);
            stopping.Restore(state.BestValue, state.BestStep, state.EvaluationsWithoutImprovement);
        }

        var step = state.Step;
        // Reading a loss waits for the device; on a GPU, steps are read in windows (see UnreadSteps).
        var readEvery = options.LossReadInterval ?? (trainable.FirstOrDefault()?.device_type == DeviceType.CUDA ? CudaLossReadInterval : 1);
        using var unread = new UnreadSteps();
        void Publish(TrainingStep done, double gradientNorm)
        {
            observer?.OnStep(done);
            metrics.LogMetric("train/loss", done.Loss, done.Step);
            metrics.LogMetric("train/learning_rate", done.LearningRate, done.Step);
            if (!double.IsNaN(gradientNorm))
            {
                metrics.LogMetric("train/grad_norm", gradientNorm, done.Step);
            }
        }

        IReadOnlyDictionary<string, double> lastEvaluation = new Dictionary<string, double>();
        string? lastCheckpoint = null;
        var reason = StopReason.Completed;
        model.train();
        observer?.OnStart(step, totalSteps);
        // A step's time runs from the end of the previous step's own work to its update: it includes fetching the
        // batches but not evaluations and checkpoints, which the observer sees separately.
        var stepStart = Stopwatch.GetTimestamp();
        long samples = 0, tokens = 0;
        try
        {
            for (var epoch = state.Epoch; epoch < options.Epochs && reason == StopReason.Completed; epoch++)
            {
                var skip = epoch == state.Epoch ? state.BatchInEpoch : 0;
                var batchInEpoch = 0;
                var pending = 0;
                Tensor? pendingLoss = null;
                foreach (var batch in data.Epoch(epoch))
                {
                    using (batch)
                    {
                        if (batchInEpoch++ < skip)
                        {
                            continue;
                        }

                        var loss = Backward(model, computeLoss, batch);
                        if (pendingLoss is null)
                        {
                            pendingLoss = loss;
                        }
                        else
                        {
                            pendingLoss.add_(loss);
                            loss.Dispose();
                        }

                        pending++;
                        if (batch is IBatchSize size)
                        {
                            samples += size.Samples;
                            tokens += size.Tokens;
                        }
                    }

                    var lastOfEpoch = batchInEpoch == data.BatchesPerEpoch;
                    if (pending < options.GradientAccumulationSteps && !lastOfEpoch)
                    {
                        continue;
                    }

                    step++;
                    var learningRate = schedule.Apply(optimizer, step - 1);
                    var gradientNorm = options.MaxGradientNorm is { } maxNorm ? GradientClipping.ClipByGlobalNormOnDevice(trainable, maxNorm) : null;
                    optimizer.step();

                    // zero_grad returns a new wrapper per gradient (TorchSharp 0.107); the scope frees them, not the gradients.
                    using (NewDisposeScope())
                    {
                        optimizer.zero_grad();
                    }

                    if (pending > 1)
                    {
                        using var count = pending.ToScalar();
                        pendingLoss!.div_(count);
                    }

                    unread.Add(
                        new TrainingStep(step, totalSteps, epoch, double.NaN, learningRate, Stopwatch.GetElapsedTime(stepStart), samples, tokens),
                        pendingLoss,
                        gradientNorm);
                    samples = 0;
                    tokens = 0;
                    pending = 0;
                    pendingLoss = null;

                    // Evaluations, checkpoints and stops must see every step's loss first (no checkpoint after a NaN).
                    var evaluateNow = options.EvaluateEverySteps is { } every ? step % every == 0 : lastOfEpoch;
                    var last = epoch == options.Epochs - 1 && lastOfEpoch;
                    var checkpointNow = last || (options.CheckpointEverySteps is { } interval && step % interval == 0);
                    if (unread.Count >= readEvery || (evaluate is not null && evaluateNow) || checkpointNow)
                    {
                        unread.Flush(options.LearningRate, Publish);
                    }

                    if (evaluate is not null && evaluateNow)
                    {
                        lastEvaluation = Evaluate(model, evaluate, stopping, step);
                    }

                    var position = lastOfEpoch
                        ? new TrainerState { Step = step, Epoch = epoch + 1, BatchInEpoch = 0 }
                        : new TrainerState { Step = step, Epoch = epoch, BatchInEpoch = batchInEpoch };
                    position = position with { BestValue = stopping.BestValue, BestStep = stopping.BestStep, EvaluationsWithoutImprovement = stopping.EvaluationsWithoutImprovement };

                    if (cancellationToken.IsCancellationRequested)
                    {
                        unread.Flush(options.LearningRate, Publish);
                        reason = StopReason.Cancelled;
                        lastCheckpoint = SaveCheckpoint(model, optimizer, position) ?? lastCheckpoint;
                        break;
                    }

                    if (stopping.ShouldStop)
                    {
                        reason = StopReason.EarlyStopped;
                        lastCheckpoint = SaveCheckpoint(model, optimizer, position) ?? lastCheckpoint;
                        break;
                    }

                    if (checkpointNow)
                    {
                        lastCheckpoint = SaveCheckpoint(model, optimizer, position) ?? lastCheckpoint;
                    }

                    stepStart = Stopwatch.GetTimestamp();
                }
            }

            unread.Flush(options.LearningRate, Publish);
        }
        finally
        {
            observer?.OnEnd();
        }

        return new TrainingOutcome(step, reason, stopping.BestStep, stopping.BestValue, lastEvaluation, lastCheckpoint);
    }

    private static TrainerOptions Validate(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.GradientAccumulationSteps);
        if (options.LossReadInterval is { } readInterval)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(readInterval, nameof(options.LossReadInterval));
        }

        if (options.MaxGradientNorm is { } norm && !(norm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), norm, "The gradient clipping norm must be positive (or null to disable).");
        }

        return options;
    }

    // One micro-batch: forward, scaled backward, all temporaries freed by the scope. Returns the unscaled loss as a
    // float64 scalar on the device, outside any scope (the caller owns it); reading it is left to UnreadSteps.
    private Tensor Backward<TBatch>(nn.Module model, Func<TBatch, Tensor> computeLoss, TBatch batch)
    {
        using var scope = NewDisposeScope();
        var loss = computeLoss(batch);
        var value = loss.detach().to(ScalarType.Float64).DetachFromDisposeScope();

        if (options.GradientAccumulationSteps == 1)
        {
            loss.backward();
        }
        else
        {
            using var accumulationSteps = options.GradientAccumulationSteps.ToScalar();
            loss.div(accumulationSteps).backward();
        }
        return value;
    }

    private IReadOnlyDictionary<string, double> Evaluate(
        nn.Module model, Func<IReadOnlyDictionary<string, double>> evaluate, EarlyStopping stopping, long step)
    {
        model.eval();
        IReadOnlyDictionary<string, double> results;
        try
        {
            using var noGrad = no_grad();
            results = evaluate();
        }
        finally
        {
            model.train();
        }

        foreach (var (key, value) in results)
        {
            metrics.LogMetric(key, value, step);
        }

        if (!results.TryGetValue(options.MonitorMetric, out var monitored))
        {
            throw new InvalidOperationException(
                $"The evaluation returned no '{options.MonitorMetric}' to monitor. It returned: {string.Join(", ", results.Keys)}.");
        }

        stopping.Update(monitored, step);
        observer?.OnEvaluation(step, results);
        return results;
    }

    private string? SaveCheckpoint(nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, TrainerState state) =>
        options.CheckpointDirectory is null ? null : TrainingCheckpoint.Save(options.CheckpointDirectory, model, optimizer, state);
}
