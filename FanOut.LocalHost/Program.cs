using FanOut.LocalHost.Hosting;

LocalFunctionsHost.Build(args).Run();
