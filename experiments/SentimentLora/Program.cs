return await PeftSharp.Training.Runner.ExperimentRunner.RunAsync<SentimentLora.SentimentOptions>(
    args, SentimentLora.SentimentRun.TrainAsync, SentimentLora.SentimentExperiment.PrepareData);
