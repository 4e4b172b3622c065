return await SentimentLora.SentimentExperiment.MainAsync(args, System.Console.Out, System.Console.Error).ConfigureAwait(false);
