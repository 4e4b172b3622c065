namespace PeftSharp.Training;

using System;
using System.Linq;
using PeftSharp.Data;
using static TorchSharp.torch;

/// <summary>Accuracy, loss and class probabilities of a classifier on tabular data, in eval mode and without gradients.</summary>
public static class ClassifierEvaluation
{
    /// <summary>Accuracy and mean cross-entropy of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, TabularData data, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("Cannot evaluate on an empty dataset.", nameof(data));
        }

        var wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var labels = data.LabelsTensor(device);
            var logits = model.forward(data.FeaturesTensor(device));
            var loss = ScalarValue.Of(nn.functional.cross_entropy(logits, labels));
            var correct = logits.argmax(1).eq(labels).sum().item<long>();
            return new Evaluation((double)correct / data.Count, loss, data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// The predicted probability of class <paramref name="classIndex"/> (softmax over the logits) for every row of
    /// <paramref name="data"/>, for ranking metrics such as ROC AUC. The model's training mode is restored.
    /// </summary>
    public static double[] ClassProbabilities(nn.Module<Tensor, Tensor> model, TabularData data, Device device, int classIndex)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var probabilities = nn.functional.softmax(model.forward(data.FeaturesTensor(device)), 1)[.., classIndex];
            return probabilities.to(ScalarType.Float64).cpu().data<double>().ToArray();
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
