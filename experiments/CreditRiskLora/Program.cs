return await CreditRiskLora.CreditRiskExperiment.MainAsync(args, System.Console.Out, System.Console.Error);
