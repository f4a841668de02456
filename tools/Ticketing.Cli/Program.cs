using Ticketing.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable("NATS_URL"));
