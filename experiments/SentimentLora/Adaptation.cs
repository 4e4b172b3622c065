namespace SentimentLora;

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PeftSharp;
using PeftSharp.Tuners;

/// <summary>
/// What a fine-tuning method did to the classifier: which parameters train, the adapter configuration for the
/// MLflow record, and (for adapter methods) how to describe the adapter for saving in PEFT's format.
/// </summary>
internal sealed class Adaptation
{
    // What adapter_config.json records: the Hugging Face model the adapter belongs to, and a classification task.
    private const string BaseModel = "sentence-transformers/all-MiniLM-L6-v2";
    private const string TaskType = "SEQ_CLS";

    private readonly PeftModel? peft;

    private Adaptation(string summary, PeftModel? peft)
    {
        Summary = summary;
        this.peft = peft;
    }

    /// <summary>One line saying what trains.</summary>
    public string Summary { get; }

    /// <summary>Only the head trains.</summary>
    public static Adaptation Frozen(SentimentClassifier model)
    {
        foreach (var (name, parameter) in model.named_parameters())
        {
            parameter.requires_grad = name.StartsWith("classifier.", StringComparison.Ordinal);
        }

        return new Adaptation("frozen encoder, only the classification head trains", null);
    }

    /// <summary>Every parameter trains.</summary>
    public static Adaptation Full(SentimentClassifier model)
    {
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad = true;
        }

        return new Adaptation("full fine-tuning: every encoder parameter and the head train", null);
    }

    /// <summary>LoRA as the model's attributes declare it (the generated <c>ApplyAdapters()</c>).</summary>
    public static Adaptation Lora(SentimentClassifier model, int? rank)
    {
        var plan = model.ApplyAdapters(new AdapterOverrides(Rank: rank));
        var config = PeftModel.ConfigFromPlan(plan, model.TrainableModules) with { BaseModelNameOrPath = BaseModel, TaskType = TaskType };
        return new Adaptation($"LoRA on {Describe(plan)} (declared by [LoraTargets]), head trainable", PeftModel.Create(model, config));
    }

    /// <summary>DoRA on the layers, rank and alpha of the declared LoRA plan.</summary>
    public static Adaptation Dora(SentimentClassifier model, int? rank)
    {
        var plan = model.AdapterPlan;
        var lora = (LoraConfig)PeftModel.ConfigFromPlan(plan, model.TrainableModules);
        var config = lora with { R = rank ?? lora.R, UseDora = true, BaseModelNameOrPath = BaseModel, TaskType = TaskType };
        return new Adaptation($"DoRA on {Describe(plan)} (the declared LoRA plan with a learned magnitude), head trainable", PeftModel.Create(model, config));
    }

    /// <summary>IA3 on key, value and both dense outputs (PEFT's default IA3 targets for BERT).</summary>
    public static Adaptation IA3(SentimentClassifier model)
    {
        var config = new IA3Config
        {
            TargetModules = TargetModules.Of("key", "value", "output.dense"),
            FeedforwardModules = TargetModules.Of("output.dense"),
            ModulesToSave = model.TrainableModules,
            BaseModelNameOrPath = BaseModel,
            TaskType = TaskType,
        };
        return new Adaptation("IA3 on key, value and output.dense of every layer, head trainable", PeftModel.Create(model, config));
    }

    /// <summary>The adapter configuration as MLflow params (empty for methods without adapters).</summary>
    public IEnumerable<KeyValuePair<string, string>> Describe()
    {
        var config = peft?.Configs[AdapterLayer.DefaultAdapterName];
        yield return new("adapter.peft_type", config?.PeftType ?? "none");
        if (config?.TargetModules is { } targets)
        {
            yield return new("adapter.target_modules", targets.ToString());
        }

        if (config is LoraConfig lora)
        {
            yield return new("adapter.r", lora.R.ToString(CultureInfo.InvariantCulture));
            yield return new("adapter.lora_alpha", lora.LoraAlpha.ToString("R", CultureInfo.InvariantCulture));
            yield return new("adapter.lora_dropout", lora.LoraDropout.ToString("R", CultureInfo.InvariantCulture));
            yield return new("adapter.use_dora", lora.UseDora ? "true" : "false");
        }

        if (config is not null)
        {
            yield return new("adapter.modules_to_save", string.Join(",", config.ModulesToSave));
        }
    }

    /// <summary>The trained adapter as a <see cref="PeftModel"/> to save in PEFT's format; null without adapters.</summary>
    public PeftModel? Peft => peft;

    private static string Describe(IReadOnlyList<AdapterTarget> plan)
    {
        var names = plan.Select(t => t.ModulePath[(t.ModulePath.LastIndexOf('.') + 1)..]).Distinct();
        var first = plan[0];
        return string.Create(CultureInfo.InvariantCulture, $"{string.Join(" and ", names)} of {plan.Count / Math.Max(1, names.Count())} layers (r={first.Rank}, alpha={first.Alpha}, dropout={first.Dropout})");
    }
}
