using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace Webhooks.Benchmarks;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // "retention": what keeping events costs the garbage collector, read as the store fills (see RetentionRun).
        if (args.Length > 0 && string.Equals(args[0], "retention", StringComparison.Ordinal))
        {
            return await RetentionRun.RunAsync(args).ConfigureAwait(false);
        }

        // "layout": the collector's pause per kept event for two ways of keeping events (see LayoutRun).
        if (args.Length > 0 && string.Equals(args[0], "layout", StringComparison.Ordinal))
        {
            return await LayoutRun.RunAsync(args).ConfigureAwait(false);
        }

        // A short, fixed job so that the whole suite finishes in minutes on a small machine; pass BenchmarkDotNet's own
        // options (for example --job default) to override.
        IConfig config = DefaultConfig.Instance
            .AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(10)
                .WithIterationTime(TimeInterval.FromMilliseconds(250))
                .AsDefault())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .AddColumn(RankColumn.Arabic)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value));

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
