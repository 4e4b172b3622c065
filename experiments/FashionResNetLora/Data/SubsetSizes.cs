namespace FashionResNetLora.Data;

using System;

/// <summary>How many Fashion-MNIST images each prepared split holds (multiples of 10: equal classes).</summary>
/// <param name="Train">Training images, from the official training set.</param>
/// <param name="Validation">Validation images, from the official training set, disjoint from <paramref name="Train"/>.</param>
/// <param name="Test">Test images, from the official test set.</param>
public sealed record SubsetSizes(int Train, int Validation, int Test)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless every size is a positive multiple of 10 within the data.</summary>
    public void Validate()
    {
        Check(Train, nameof(Train));
        Check(Validation, nameof(Validation));
        Check(Test, nameof(Test));
        if (Train + Validation > 60_000 || Test > 10_000)
        {
            throw new ArgumentException($"Fashion-MNIST has 60000 training and 10000 test images; asked for {Train} + {Validation} and {Test}.");
        }
    }

    private static void Check(int size, string name)
    {
        if (size <= 0 || size % FashionMnist.ClassCount != 0)
        {
            throw new ArgumentException($"The {name.ToLowerInvariant()} subset size must be a positive multiple of {FashionMnist.ClassCount} (equal classes); got {size}.");
        }
    }
}
