return await BreastCancerLora.BreastCancerExperiment.MainAsync(args, System.Console.Out, System.Console.Error);
