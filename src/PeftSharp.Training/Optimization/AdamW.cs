namespace PeftSharp.Training.Optimization;

using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// TorchSharp's AdamW (decoupled weight decay, optional AMSGrad and maximize) with the same update, parameter groups,
/// learning-rate scheduling and <c>state_dict</c> format, whose step keeps every <see cref="Scalar"/> it hands to
/// LibTorch alive for the whole native call.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>AdamW.step</c> passes temporaries such as <c>mul_(beta1)</c> and <c>add_(grad, alpha: 1 - beta1)</c>;
/// a garbage collection on any thread (the data loader's, say) can finalize one while LibTorch reads it, and the step
/// then fails at random with "Unknown scalar type" or "Scalar::toFloat: Expected false to be true" (analyzer PEFT016
/// explains the race). Here each Scalar lives in a <c>using</c> scope around its calls. The arithmetic is the same
/// operations in the same order, so results are bit-for-bit those of TorchSharp's AdamW. The class keeps the name
/// <c>AdamW</c> because TorchSharp writes the optimizer's type name into its state files and refuses another name on
/// load: state files and checkpoints stay interchangeable with TorchSharp's AdamW both ways.
/// </remarks>
public sealed class AdamW : TorchSharp.Modules.AdamW
{
    /// <summary>Creates the optimizer; arguments and defaults are those of <c>torch.optim.AdamW</c>.</summary>
    /// <param name="groups">Parameter groups; options a group leaves unset come from the arguments.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the running mean of gradients.</param>
    /// <param name="beta2">Decay of the running mean of squared gradients.</param>
    /// <param name="eps">Added to the denominator for numerical stability.</param>
    /// <param name="weight_decay">Decoupled weight decay.</param>
    /// <param name="amsgrad">Use the running maximum of the second moment (AMSGrad).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
#pragma warning disable CA1707 // Parameter names follow torch.optim.AdamW so call sites read the same.
    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
#pragma warning restore CA1707
        : base(groups, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(Update, closure);

    private void Update(ParamGroup group)
    {
        var options = (Options)group.Options;
        var beta1 = options.beta1!.Value;
        var beta2 = options.beta2!.Value;
        var learningRate = options.LearningRate!.Value;
        var amsgrad = options.amsgrad!.Value;
        var maximize = options.maximize!.Value;
        using var decay = (1 - learningRate * options.weight_decay!.Value).ToScalar();
        using var beta1Scalar = beta1.ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var gradientWeight = (1 - beta1).ToScalar();
        using var squareWeight = (1 - beta2).ToScalar();
        using var eps = options.eps!.Value.ToScalar();

        foreach (var parameter in group.Parameters)
        {
            var gradient = parameter.grad;
            if (gradient is null)
            {
                continue;
            }

            using var negated = maximize ? gradient.neg() : null;
            gradient = negated ?? gradient;
            var state = (State)_state[parameter.Handle];
            state.step += 1;
            parameter.mul_(decay);

            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(beta1Scalar).add_(gradient, gradientWeight);
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(gradient, gradient, squareWeight);

            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
            }

            using var root = (amsgrad ? state.max_exp_avg_sq : state.exp_avg_sq).sqrt();
            using var correction = Math.Sqrt(biasCorrection2).ToScalar();
            using var denominator = root.div(correction).add_(eps);
            using var stepSize = (-learningRate / biasCorrection1).ToScalar();
            parameter.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }
}
