return await KeywordSpottingLora.KeywordExperiment.MainAsync(args, System.Console.Out, System.Console.Error);
