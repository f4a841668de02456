using Microsoft.Extensions.Configuration;
using Ticketing.Cli;

var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
return await CliApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable("NATS_URL"), environment);
