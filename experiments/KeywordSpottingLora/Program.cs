return await PeftSharp.Training.Runner.ExperimentRunner.RunAsync<KeywordSpottingLora.KeywordOptions>(
    args, KeywordSpottingLora.KeywordExperiment.TrainAsync, KeywordSpottingLora.KeywordExperiment.PrepareData);
