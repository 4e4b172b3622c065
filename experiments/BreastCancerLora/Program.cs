return await PeftSharp.Training.Runner.ExperimentRunner.RunAsync<BreastCancerLora.BreastCancerOptions>(
    args, BreastCancerLora.BreastCancerExperiment.TrainAsync, BreastCancerLora.BreastCancerExperiment.PrepareData);
