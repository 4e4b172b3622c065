namespace PeftSharp.Training.Engine;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using PeftSharp.Serialization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// A resumable snapshot of training: the trainable parameters (adapters and trainable modules), the optimizer's
/// moments, the random generator, and the position in the data. Written to a temporary folder and renamed into
/// place, so an interruption never leaves a half-written checkpoint that a resume could pick up.
/// </summary>
public static class TrainingCheckpoint
{
    private const string TrainableFile = "trainable.safetensors";
    private const string OptimizerFile = "optimizer.bin";
    private const string RandomFile = "rng.safetensors";
    private const string StateFile = "trainer_state.json";
    private const string Prefix = "step-";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes a checkpoint under <paramref name="directory"/>/step-NNNNNNNN and returns its folder.</summary>
    public static string Save(string directory, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, TrainerState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(directory);
        var final = Path.Combine(directory, Prefix + state.Step.ToString("D8", CultureInfo.InvariantCulture));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(final)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            Safetensors.Save(
                Path.Combine(temporary, TrainableFile),
                model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)));
            optimizer.save_state_dict(Path.Combine(temporary, OptimizerFile));
            using (var rng = torch.get_rng_state())
            {
                Safetensors.Save(Path.Combine(temporary, RandomFile), [new KeyValuePair<string, Tensor>("cpu", rng)]);
            }

            File.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(state, JsonOptions));
            if (Directory.Exists(final))
            {
                Directory.Delete(final, recursive: true);
            }

            Directory.Move(temporary, final);
            return final;
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    /// <summary>The newest complete checkpoint under <paramref name="directory"/>, or null.</summary>
    public static string? Latest(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetDirectories(directory, Prefix + "*")
                .Where(d => File.Exists(Path.Combine(d, StateFile)))
                .OrderBy(d => d, StringComparer.Ordinal)
                .LastOrDefault()
            : null;

    /// <summary>
    /// Restores the trainable parameters, optimizer and random generator from <paramref name="checkpoint"/> and returns
    /// the counters. The model and optimizer must be built exactly as for the original run.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is incomplete or does not match the model; the message lists what differs.</exception>
    public static TrainerState Restore(string checkpoint, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var statePath = Path.Combine(checkpoint, StateFile);
        if (!File.Exists(statePath))
        {
            throw new InvalidDataException($"'{checkpoint}' is not a training checkpoint: {StateFile} is missing.");
        }

        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(statePath), JsonOptions)
            ?? throw new InvalidDataException($"'{statePath}' is empty.");
        if (state.FormatVersion != 1)
        {
            throw new InvalidDataException($"'{checkpoint}' has checkpoint format {state.FormatVersion}; this version reads format 1.");
        }

        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        using (var file = Safetensors.Open(Path.Combine(checkpoint, TrainableFile)))
        {
            var saved = file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
            var problems = trainable.Keys.Where(k => !saved.ContainsKey(k)).Select(k => $"missing '{k}'")
                .Concat(saved.Keys.Where(k => !trainable.ContainsKey(k)).Select(k => $"unexpected '{k}'"))
                .Concat(trainable.Where(p => saved.TryGetValue(p.Key, out var info) && !info.Shape.SequenceEqual(p.Value.shape))
                    .Select(p => $"'{p.Key}' has shape [{string.Join(", ", saved[p.Key].Shape)}] in the checkpoint, [{string.Join(", ", p.Value.shape)}] in the model"))
                .ToList();
            if (problems.Count > 0)
            {
                throw new InvalidDataException(
                    $"Checkpoint '{checkpoint}' does not match the model's trainable parameters: {string.Join("; ", problems)}. Resume with the same model and adapter settings.");
            }

            using var noGrad = no_grad();
            foreach (var (name, parameter) in trainable)
            {
                using var value = file.Load(name);
                parameter.copy_(value);
            }
        }

        optimizer.load_state_dict(Path.Combine(checkpoint, OptimizerFile));
        using (var file = Safetensors.Open(Path.Combine(checkpoint, RandomFile)))
        {
            using var rng = file.Load("cpu");
            torch.set_rng_state(rng);
        }

        return state;
    }
}
