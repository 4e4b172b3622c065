namespace PeftSharp.Training.Runner;

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using PeftSharp.Data;
using PeftSharp.Platform;
using PeftSharp.Precision;
using PeftSharp.Tracking;
using PeftSharp.Training.Engine;
using PeftSharp.Tuners;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// What the runner gives an experiment's <c>TrainAsync</c>: the open MLflow run, the device, the seed (already
/// applied), Ctrl-C as a cancellation token, and the steps every experiment records the same way: dataset inputs, the
/// model's adapter plan and parameter counts, the training phases (metrics, step time, peak memory, checkpoints,
/// resume), the final adapter and the final metrics.
/// </summary>
public sealed class RunContext
{
    private readonly string resumeHint;
    private readonly RunnerHost host;

    internal RunContext(TrackedRun run, RunSettings settings, Device device, string checkpointDirectory, RunnerHost host, string resumeHint, CancellationToken cancellationToken)
    {
        Run = run;
        Settings = settings;
        Device = device;
        CheckpointDirectory = checkpointDirectory;
        this.host = host;
        Output = host.Output;
        this.resumeHint = resumeHint;
        CancellationToken = cancellationToken;
        Metrics = new RunMetricSink(run);
    }

    /// <summary>The MLflow run; params, metrics, tags and artifacts go here.</summary>
    public TrackedRun Run { get; }

    /// <summary>The runner settings of this run (seed, device, threads, resume, checkpoints).</summary>
    public RunSettings Settings { get; }

    /// <summary>The seed; <see cref="Reproducibility.Seed"/> was called with it before <c>TrainAsync</c>.</summary>
    public int Seed => Settings.Seed;

    /// <summary>Where to put the model and the batches.</summary>
    public Device Device { get; }

    /// <summary>Cancelled by Ctrl-C or SIGTERM: training stops after the current step with a checkpoint.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The console (or what a test passes) for messages to the user.</summary>
    public TextWriter Output { get; }

    /// <summary>Checkpoints of the main phase and the final adapter go here.</summary>
    public string CheckpointDirectory { get; }

    /// <summary>The checkpoint the main phase continues from, or null.</summary>
    public string? ResumeFrom => Settings.Resume;

    /// <summary>Set when this run reproduces a recorded one: its datasets must have the recorded digests.</summary>
    internal Reproduction? Reproduction { get; init; }

    /// <summary>Sends metrics to <see cref="Run"/> unchanged.</summary>
    public IMetricSink Metrics { get; }

    /// <summary>
    /// Moves <paramref name="model"/> to <see cref="Device"/>; on the CPU guards its convolutions against LibTorch's
    /// wrong input gradients (<see cref="ConvolutionGuard"/>); with <c>--base-dtype bfloat16</c>, casts its frozen
    /// parameters to bfloat16 while the trainable ones stay float32 (<see cref="FrozenBaseCast"/>). Call it after the
    /// adapters are applied and the rest is frozen, before training.
    /// </summary>
    /// <returns>What was cast, or null when the frozen parameters keep float32.</returns>
    public FrozenBaseCastReport? PlaceModel(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.to(Device);
        if (Device.type == DeviceType.CPU && ConvolutionGuard.Apply(model) is > 0 and var guarded)
        {
            Output.WriteLine($"{guarded} convolution(s) with output channels not a multiple of 16 are guarded against LibTorch's wrong CPU input gradients (ConvolutionGuard).");
        }

        if (Settings.BaseDtype != "bfloat16")
        {
            return null;
        }

        var report = FrozenBaseCast.Apply(model, ScalarType.BFloat16);
        Output.WriteLine(report.Parameters == 0
            ? "--base-dtype bfloat16: the model has no frozen parameters, so nothing was cast (full fine-tuning trains in float32)."
            : $"{report}; trainable parameters stay float32.");
        return report;
    }

    /// <summary>Records a dataset the run reads (an MLflow dataset input) and its digest, rows and source as params.</summary>
    /// <param name="fingerprint">The data's fingerprint (<see cref="DatasetFingerprint.Compute"/>).</param>
    /// <param name="name">The dataset's name.</param>
    /// <param name="context"><c>training</c>, <c>validation</c>, <c>test</c>, ...</param>
    public void LogDataset(DatasetFingerprint fingerprint, string name, string context = "training")
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Run.LogParams(DatasetParams(name, fingerprint.Digest, fingerprint.Source, fingerprint.Rows));
        Run.LogInputs(new DatasetInput(
            name, fingerprint.Digest, "local", JsonSerializer.Serialize(new { uri = new Uri(fingerprint.Source).AbsoluteUri }),
            Profile: JsonSerializer.Serialize(new { num_rows = fingerprint.Rows }), Context: context));
    }

    /// <summary>Records a Parquet dataset the run reads (<see cref="ParquetDataset"/>'s record) and its digest as a param.</summary>
    /// <param name="record">The dataset record.</param>
    /// <param name="context"><c>training</c>, <c>validation</c>, <c>test</c>, ...</param>
    public void LogDataset(DatasetRecord record, string context = "training")
    {
        ArgumentNullException.ThrowIfNull(record);
        using var profile = JsonDocument.Parse(record.Profile);
        var rows = profile.RootElement.TryGetProperty("num_rows", out var n) ? n.GetInt64() : -1;
        using var source = JsonDocument.Parse(record.Source);
        var uri = source.RootElement.TryGetProperty("uri", out var u) ? u.GetString() ?? record.Source : record.Source;
        Run.LogParams(DatasetParams(record.Name, record.Digest, uri, rows));
        Run.LogInputs(new DatasetInput(record.Name, record.Digest, record.SourceType, record.Source, record.Schema, record.Profile, context));
    }

    /// <summary>
    /// Records the model being trained: params <c>method</c>, <c>trainable_params</c>, <c>total_params</c> and, per
    /// adapted module, <c>adapter.&lt;path&gt;</c> with its method and hyperparameters. Call it after the adapters are
    /// applied and the base frozen.
    /// </summary>
    /// <param name="model">The model as it will train.</param>
    /// <param name="method">The fine-tuning method (<c>lora</c>, <c>dora</c>, <c>ia3</c>, <c>full</c>, <c>head</c>, ...).</param>
    /// <param name="plan">The applied adapters (the generated <c>ApplyAdapters()</c> result), or null.</param>
    /// <returns>The parameter counts.</returns>
    public ParameterReport LogModel(nn.Module model, string method, IEnumerable<AdapterTarget>? plan = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        var report = ParameterReport.Of(model);
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [RunNames.Method] = method,
            [RunNames.TrainableParams] = report.Trainable.ToString(CultureInfo.InvariantCulture),
            [RunNames.TotalParams] = report.Total.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var target in plan ?? [])
        {
            parameters[$"adapter.{target.ModulePath}"] = string.Create(CultureInfo.InvariantCulture, $"{target.Method} r={target.Rank} alpha={target.Alpha} dropout={target.Dropout}")
                + (target.UseDora ? " dora" : string.Empty) + (target.UseRsLora ? " rslora" : string.Empty);
        }

        Run.LogParams(parameters);
        return report;
    }

    /// <summary>As <see cref="LogModel(nn.Module, string, IEnumerable{AdapterTarget})"/> for a run-time <see cref="PeftModel"/>: one <c>adapter.&lt;path&gt;</c> param per adapter layer.</summary>
    public ParameterReport LogModel(PeftModel model, string method)
    {
        ArgumentNullException.ThrowIfNull(model);
        var report = LogModel(model.Model, method);
        Run.LogParams(model.AdapterLayers.ToDictionary(l => $"adapter.{l.Path}", l => l.Layer.GetType().Name, StringComparer.Ordinal));
        return report;
    }

    /// <summary>
    /// Runs the main training phase: metrics into the run, checkpoints in <see cref="CheckpointDirectory"/> (every
    /// <see cref="RunSettings.CheckpointEverySteps"/> and at the end), continuing from <see cref="ResumeFrom"/>, stopping
    /// on Ctrl-C. Logs <c>time/step_ms</c>, <c>time/train_s</c>, <c>memory/peak_rss_mb</c> and on a GPU <c>memory/gpu_mb</c>.
    /// </summary>
    /// <exception cref="OperationCanceledException">Ctrl-C interrupted training; a checkpoint was saved and the resume command printed.</exception>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite, or CUDA ran out of memory (with advice).</exception>
    public TrainingOutcome Fit<TBatch>(
        TrainerOptions options,
        nn.Module model,
        ITrainingData<TBatch> data,
        Func<TBatch, Tensor> computeLoss,
        Func<IReadOnlyDictionary<string, double>>? evaluate = null)
        where TBatch : IDisposable
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options with { CheckpointDirectory = CheckpointDirectory, CheckpointEverySteps = Settings.CheckpointEverySteps ?? options.CheckpointEverySteps };
        var timer = new StepTimer();
        var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        var sink = new BufferedRunMetricSink(Run);
        TrainingOutcome outcome;
        try
        {
            outcome = Guard(() => new Trainer(options, sink, new TrainingObservers(timer, Progress("train"))).Fit(model, data, computeLoss, evaluate, ResumeFrom, CancellationToken));
        }
        finally
        {
            sink.Flush();
        }

        var measured = new Dictionary<string, double>(StringComparer.Ordinal) { [RunNames.TrainSeconds] = clock.Elapsed.TotalSeconds };
        if (timer.Steps > 0)
        {
            measured[RunNames.StepMilliseconds] = timer.MeanMilliseconds;
        }

        if (memory.PeakMegabytes() is { } peak)
        {
            measured[RunNames.PeakRssMegabytes] = peak;
        }

        // LibTorch's caching allocator keeps what it reserved, so the process's GPU memory now is the phase's peak.
        if (Device.type == DeviceType.CUDA && NvidiaGpus.ProcessMegabytes(Math.Max(0, Device.index)) is { } gpu)
        {
            measured[RunNames.GpuMegabytes] = gpu;
        }

        Run.LogMetrics(measured, outcome.Steps);
        if (outcome.Reason == StopReason.Cancelled)
        {
            Output.WriteLine($"""

                Interrupted at step {outcome.Steps}; run {Run.RunId} marked KILLED.
                Checkpoint: {outcome.LastCheckpoint}
                Continue with: {resumeHint} --resume {outcome.LastCheckpoint}
                """);
            throw new OperationCanceledException($"Training was interrupted at step {outcome.Steps}.", CancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// Runs an auxiliary phase (pretraining a base, warming a head) in the same run: its <c>train/</c> metrics are
    /// renamed with <paramref name="prefix"/> (<c>pretrain/loss</c>); it is neither checkpointed nor resumed, so it must
    /// be exactly recomputable from the seed.
    /// </summary>
    /// <exception cref="OperationCanceledException">Ctrl-C interrupted the phase (nothing to resume from: the run restarts it).</exception>
    public TrainingOutcome FitPhase<TBatch>(
        string prefix,
        TrainerOptions options,
        nn.Module model,
        ITrainingData<TBatch> data,
        Func<TBatch, Tensor> computeLoss,
        Func<IReadOnlyDictionary<string, double>>? evaluate = null)
        where TBatch : IDisposable
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentNullException.ThrowIfNull(options);
        var sink = new BufferedRunMetricSink(Run, prefix);
        TrainingOutcome outcome;
        try
        {
            outcome = Guard(() => new Trainer(options with { CheckpointDirectory = null }, sink, Progress(prefix.TrimEnd('/')))
                .Fit(model, data, computeLoss, evaluate, resumeFrom: null, CancellationToken));
        }
        finally
        {
            sink.Flush();
        }

        if (outcome.Reason == StopReason.Cancelled)
        {
            Output.WriteLine($"\nInterrupted during '{prefix.TrimEnd('/')}' at step {outcome.Steps}; run {Run.RunId} marked KILLED.");
            throw new OperationCanceledException($"Training was interrupted at step {outcome.Steps} of '{prefix}'.", CancellationToken);
        }

        return outcome;
    }

    /// <summary>
    /// Saves the adapters in Hugging Face PEFT's format (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>)
    /// in <c>&lt;checkpoint dir&gt;/adapter</c> and stores them as the run's <c>adapter/</c> artifacts.
    /// </summary>
    /// <returns>The folder written.</returns>
    public string SaveAdapter(PeftModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var directory = Path.Combine(CheckpointDirectory, "adapter");
        model.SaveAdapters(directory);
        foreach (var file in Directory.GetFiles(directory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(directory, Path.GetDirectoryName(file)!);
            Run.LogArtifact(file, relative == "." ? "adapter" : $"adapter/{relative.Replace('\\', '/')}");
        }

        return directory;
    }

    /// <summary>
    /// Saves the adapters a generated <c>ApplyAdapters()</c> applied (see <see cref="PeftModel.FromAppliedPlan"/>),
    /// as <see cref="SaveAdapter(PeftModel)"/> does.
    /// </summary>
    public string SaveAdapter(nn.Module model, IReadOnlyList<AdapterTarget> plan, IReadOnlyList<string> trainableModules) =>
        SaveAdapter(PeftModel.FromAppliedPlan(model, plan, trainableModules));

    /// <summary>Logs the final metrics (for example <c>test/accuracy</c>) at <paramref name="step"/>, the last training step.</summary>
    public void LogFinalMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Run.LogMetrics(metrics, step);
    }

    private ProgressReporter Progress(string phase) =>
        new(Output, host.LiveProgress ?? ProgressReporter.IsTerminal(Output), host.ProgressInterval, phase,
            Device.type == DeviceType.CUDA ? Math.Max(0, Device.index) : null);

    private Dictionary<string, string> DatasetParams(string name, string digest, string source, long rows)
    {
        // Checked before anything trains: a rerun on other data cannot reproduce the run.
        if (Reproduction?.DatasetDigests.TryGetValue(name, out var recorded) == true && !string.Equals(recorded, digest, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"Dataset '{name}' ({source}) has digest {digest}, but run {Reproduction.RunId} used {recorded}: the data file or its column mapping changed since. Restore the original data to reproduce the run.");
        }

        return new(StringComparer.Ordinal)
        {
            [$"dataset.{name}.digest"] = digest,
            [$"dataset.{name}.source"] = source,
            [$"dataset.{name}.rows"] = rows.ToString(CultureInfo.InvariantCulture),
        };
    }

    private TrainingOutcome Guard(Func<TrainingOutcome> fit)
    {
        try
        {
            return fit();
        }
        catch (Exception e) when (Device.type == DeviceType.CUDA && e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"CUDA ran out of memory on {Device}. Use a smaller batch size, with gradient accumulation to keep the effective batch size. ({e.Message.Split('\n')[0]})", e);
        }
    }
}
