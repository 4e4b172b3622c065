return await PeftSharp.Training.Runner.ExperimentRunner.RunAsync<FashionResNetLora.FashionOptions>(
    args, FashionResNetLora.FashionExperiment.TrainAsync, FashionResNetLora.FashionExperiment.PrepareData).ConfigureAwait(false);
