namespace Webhooks.Benchmarks; internal static class Program { public static void Main() { } }
