namespace PeftSharp.Generators.Tests;

/// <summary>User code the tests feed to the generator.</summary>
internal static class TestSources
{
    /// <summary>The documented example: two LoRA targets and a trainable head.</summary>
    public const string TumourClassifier = """
        using PeftSharp;
        using TorchSharp;
        using static TorchSharp.torch;

        namespace Clinic.Models;

        /// <summary>Classifies tumours from 30 features.</summary>
        public sealed partial class TumourClassifier : nn.Module<Tensor, Tensor>
        {
            [LoraTarget(rank: 8, Alpha = 16)] private nn.Module<Tensor, Tensor> hidden1;
            [LoraTarget(4)] private nn.Module<Tensor, Tensor> hidden2;
            [Trainable] private nn.Module<Tensor, Tensor> classifier;

            /// <summary>Creates the layers.</summary>
            public TumourClassifier() : base(nameof(TumourClassifier))
            {
                hidden1 = nn.Linear(30, 64);
                hidden2 = nn.Linear(64, 32);
                classifier = nn.Linear(32, 2);
                RegisterComponents();
            }

            /// <inheritdoc />
            public override Tensor forward(Tensor x)
            {
                using var h1 = nn.functional.relu(hidden1.forward(x));
                using var h2 = nn.functional.relu(hidden2.forward(h1));
                return classifier.forward(h2);
            }
        }
        """;

    /// <summary>
    /// A model whose members are given by the test; <c>MEMBERS</c> is replaced. Unused-field warnings do not matter
    /// in diagnostic tests, which only check errors of the input.
    /// </summary>
    public const string ModelTemplate = """
        using PeftSharp;
        using TorchSharp;
        using TorchSharp.Modules;
        using TorchSharp.Utils;
        using static TorchSharp.torch;

        namespace Clinic.Models;

        /// <summary>A test model.</summary>
        public sealed partial class Model : nn.Module<Tensor, Tensor>
        {
            MEMBERS

            /// <summary>Creates the model.</summary>
            public Model() : base(nameof(Model))
            {
                RegisterComponents();
            }

            /// <inheritdoc />
            public override Tensor forward(Tensor x) => x;
        }
        """;

    public static string Model(string members) => ModelTemplate.Replace("MEMBERS", members, System.StringComparison.Ordinal);
}
