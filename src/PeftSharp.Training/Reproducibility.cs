namespace PeftSharp.Training;

using static TorchSharp.torch;

/// <summary>One seed for everything random in a run: weight init, dropout and data order.</summary>
public static class Reproducibility
{
    /// <summary>Seeds the CPU generator and, when present, every CUDA generator (manual_seed alone seeds only the CPU).</summary>
    public static void Seed(int seed)
    {
        manual_seed(seed);
        if (cuda.is_available())
        {
            cuda.manual_seed_all(seed);
        }
    }
}
