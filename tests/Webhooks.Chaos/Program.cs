using Webhooks.Chaos;

// A receiver fleet attacked as production fails: `run` starts a redis-server and receiver processes of this program
// (`receive`), sends signed deliveries to them while it kills receivers with SIGKILL and stops Redis, then checks that nothing
// acknowledged was lost, nothing went dead, and each handler effect happened once outside the interrupted windows.
return args.Length > 0 && args[0] == "receive"
    ? await Receiver.RunAsync(args[1..])
    : await Driver.RunAsync(args.Length > 0 && args[0] == "run" ? args[1..] : args);
