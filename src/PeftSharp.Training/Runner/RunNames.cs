namespace PeftSharp.Training.Runner;

/// <summary>
/// The metric and param names every experiment logs the same way, so one <c>compare</c> table lines up the runs of
/// all experiments and methods.
/// </summary>
public static class RunNames
{
    /// <summary>Metric: accuracy on the held-out test set (experiments may add <c>test/auc</c>, <c>test/f1</c>, ...).</summary>
    public const string TestAccuracy = "test/accuracy";

    /// <summary>Metric: loss on the held-out test set.</summary>
    public const string TestLoss = "test/loss";

    /// <summary>Metric: mean wall time of one optimizer step in the main training phase, in milliseconds.</summary>
    public const string StepMilliseconds = "time/step_ms";

    /// <summary>Metric: wall time of the main training phase (steps, evaluations and checkpoints), in seconds.</summary>
    public const string TrainSeconds = "time/train_s";

    /// <summary>Metric: peak resident memory of the process during the main training phase, in MiB.</summary>
    public const string PeakRssMegabytes = "memory/peak_rss_mb";

    /// <summary>
    /// Metric: the GPU memory the process holds after a training phase, in MiB (CUDA context plus what LibTorch's
    /// caching allocator reserved, which it keeps: the phase's peak), read from the driver's NVML.
    /// </summary>
    public const string GpuMegabytes = "memory/gpu_mb";

    /// <summary>Param: parameters that train.</summary>
    public const string TrainableParams = "trainable_params";

    /// <summary>Param: all parameters of the model.</summary>
    public const string TotalParams = "total_params";

    /// <summary>Param: the fine-tuning method (<c>lora</c>, <c>dora</c>, <c>ia3</c>, <c>full</c>, <c>head</c>, ...).</summary>
    public const string Method = "method";

    /// <summary>Param: the seed the run used.</summary>
    public const string Seed = "seed";

    /// <summary>Param: the device the run trained on (<c>cpu</c>, <c>cuda:0</c>).</summary>
    public const string Device = "device_resolved";

    /// <summary>Param: the dtype of the frozen parameters (<c>float32</c> or <c>bfloat16</c>, <c>--base-dtype</c>).</summary>
    public const string BaseDtype = "base_dtype";

    /// <summary>Tag: the checkpoint a resumed run continued from.</summary>
    public const string ResumedFromTag = "peftsharp.resumed_from";

    /// <summary>Tag: the run a <c>reproduce</c> run reran.</summary>
    public const string ReproducesTag = "peftsharp.reproduces";
}
