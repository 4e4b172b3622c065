namespace PeftSharp.Training;

using System;
using System.Linq;
using static TorchSharp.torch;

/// <summary>How many parameters a model trains, out of how many.</summary>
/// <param name="Trainable">Elements of parameters with <c>requires_grad</c>.</param>
/// <param name="Total">Elements of all parameters.</param>
public sealed record ParameterReport(long Trainable, long Total)
{
    /// <summary>Trainable share in percent.</summary>
    public double TrainablePercent => Total == 0 ? 0 : 100.0 * Trainable / Total;

    /// <summary>Counts the parameters of <paramref name="model"/>.</summary>
    public static ParameterReport Of(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = model.parameters().ToList();
        return new ParameterReport(
            parameters.Where(p => p.requires_grad).Sum(p => p.numel()),
            parameters.Sum(p => p.numel()));
    }

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"trainable {Trainable:N0} of {Total:N0} parameters ({TrainablePercent:F2}%)");
}
