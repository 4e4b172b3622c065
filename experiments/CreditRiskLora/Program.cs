return await CreditRiskLora.CreditRiskExperiment.MainAsync(args);
