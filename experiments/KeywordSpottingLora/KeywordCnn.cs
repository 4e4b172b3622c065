namespace KeywordSpottingLora;

using PeftSharp;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// A small keyword-spotting CNN over log-mel spectrograms: three 3x3 convolutions with stride 2 (each halving frequency
/// and time), an average over time that keeps the frequency layout (where an accent's vowels differ), a hidden layer and
/// the classifier. The attributes declare the adaptation: LoRA
/// on every convolution and on the hidden layer, everything else frozen (the keywords do not change with the
/// accent, so neither does the head). The generator writes <c>ApplyAdapters()</c> from them.
/// </summary>
public sealed partial class KeywordCnn : nn.Module<Tensor, Tensor>
{
    private readonly long melBins;
    private readonly long frames;

    // Fields that adapters wrap are typed Module<Tensor, Tensor>: TorchSharp's Conv2d and Linear are sealed.
#pragma warning disable IDE1006 // snake_case field names are the state-dict keys
    [LoraTarget(rank: 4, Alpha = 8)]
    private nn.Module<Tensor, Tensor> conv1;

    [LoraTarget(rank: 4, Alpha = 8)]
    private nn.Module<Tensor, Tensor> conv2;

    [LoraTarget(rank: 4, Alpha = 8)]
    private nn.Module<Tensor, Tensor> conv3;

    [LoraTarget(rank: 4, Alpha = 8)]
    private nn.Module<Tensor, Tensor> hidden;

    private readonly nn.Module<Tensor, Tensor> classifier;
#pragma warning restore IDE1006

    /// <summary>Creates the network for [melBins, frames] spectrograms, <paramref name="width"/> channels in the first convolution, and <paramref name="classes"/> keywords.</summary>
    public KeywordCnn(int melBins, int frames, int width, int classes)
        : base(nameof(KeywordCnn))
    {
        this.melBins = melBins;
        this.frames = frames;
        conv1 = nn.Conv2d(1, width, 3, stride: 2, padding: 1);
        conv2 = nn.Conv2d(width, 2 * width, 3, stride: 2, padding: 1);
        conv3 = nn.Conv2d(2 * width, 4 * width, 3, stride: 2, padding: 1);
        hidden = nn.Linear(4 * width * ReducedBins(melBins), 8 * width);
        classifier = nn.Linear(8 * width, classes);
        RegisterComponents();
    }

    /// <summary>Frequency rows left after the three stride-2 convolutions (each maps n to ceil(n / 2)).</summary>
    private static int ReducedBins(int melBins) => (((((melBins + 1) / 2) + 1) / 2) + 1) / 2;

    /// <summary>Logits [batch, classes] of spectrograms given flat, [batch, melBins * frames] (or as [batch, 1, melBins, frames]).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.reshape(-1, 1, melBins, frames);
        x = nn.functional.relu(conv1.call(x));
        x = nn.functional.relu(conv2.call(x));
        x = nn.functional.relu(conv3.call(x)).mean([3]).flatten(1);
        x = nn.functional.relu(hidden.call(x));
        return classifier.call(x).MoveToOuterDisposeScope();
    }
}
