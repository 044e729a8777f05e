using Azure.Storage.Blobs;
using FanOut.Core.Configuration;
using FanOut.Core.Dispatch;
using FanOut.Core.Http;
using FanOut.Core.Chunks;
using FanOut.Core.Jobs;
using FanOut.Core.Ledger;
using FanOut.Core.Notices;
using FanOut.Core.Processing;
using FanOut.Core.Readiness;
using FanOut.Core.Requests;
using FanOut.Core.Runs;
using FanOut.Core.Security;
using FanOut.Core.Sources;
using FanOut.Core.Telemetry;
using FanOut.Core.Watchdog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FanOut.Core;

/// <summary>The one registration of FanOut's services, shared by the Functions app, LocalHost and the tests.</summary>
public static class FanOutServiceCollectionExtensions
{
    /// <summary>Registers FanOut: options from the <c>FanOut</c> section of <paramref name="configuration"/>
    /// (validated at start-up), the built-in chunk processors, and the typed self-call HttpClient with its policies.</summary>
    /// <returns>A builder to add the app's own processors to: <c>AddFanOut(configuration).AddProcessor&lt;MyProcessor&gt;()</c>.</returns>
    public static FanOutBuilder AddFanOut(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(FanOutOptions.SectionName);
        services.AddOptions<FanOutOptions>()
            .Bind(section)
            // The internal sections, which a binder does not see through the public options.
            .Configure(o =>
            {
                section.GetSection("Dispatch").Bind(o.Dispatch);
                section.GetSection("Storage").Bind(o.Storage);
                section.GetSection("Limits").Bind(o.Limits);
                section.GetSection("Notify").Bind(o.Notify);
                section.GetSection("Estimate").Bind(o.Estimate);
            })
            // FanOut's own storage settings first, then the Functions host's account, as local.settings.json has it.
            .PostConfigure(o => o.Storage.FallBackToHostAccount(configuration["AzureWebJobsStorage"]))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FanOutOptions>, FanOutOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        var telemetry = services.AddFanOutTelemetry(configuration);

        var fanOut = new FanOutBuilder(services, telemetry)
            .AddProcessor<CountProcessor>()
            .AddProcessor<WordCountProcessor>()
            .AddProcessor<ProjectProcessor>();
        services.TryAddSingleton(provider => new ChunkProcessors(provider.GetServices<IChunkProcessor>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FanOutOptions>, ChunkProcessorsValidator>());

        services.TryAddSingleton<SelfCallPolicy>();
        services.AddHttpClient<SelfClient>((provider, client) =>
            {
                var selfUrl = provider.GetRequiredService<IOptions<FanOutOptions>>().Value.SelfBaseUrl!;
                // A trailing slash keeps any path of the self URL when "api/batch" is resolved against it.
                client.BaseAddress = selfUrl.AbsoluteUri.EndsWith('/') ? selfUrl : new Uri(selfUrl.AbsoluteUri + "/");
                // The policies own every timeout: one per attempt, none around the retries.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddPolicyHandler((provider, _) => provider.GetRequiredService<SelfCallPolicy>().Policy)
            .AddHttpMessageHandler<BackPressureHandler>()
            .AddHttpMessageHandler<SigningHandler>()
            .AddPolicyHandler((provider, _) => provider.GetRequiredService<SelfCallPolicy>().AttemptTimeout);
        services.AddHttpClient<NoticeSender>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(NoticePolicy.Connection)
            .AddPolicyHandler((provider, _) => NoticePolicy.Retry(
                TimeSpan.FromMilliseconds(provider.GetRequiredService<IOptions<FanOutOptions>>().Value.Notify.RetryDelayMilliseconds)))
            .AddHttpMessageHandler<NoticeSigningHandler>()
            .AddPolicyHandler(NoticePolicy.AttemptTimeout);
        services.TryAddTransient<NoticeSigningHandler>();
        services.TryAddTransient<NoticeHandOff>();
        services.TryAddSingleton<JobThrottle>();
        services.TryAddTransient<BackPressureHandler>();
        services.TryAddSingleton<InternalCallSigner>();
        services.TryAddTransient<SigningHandler>();
        services.TryAddTransient<ISelfCaller>(provider => provider.GetRequiredService<SelfClient>());
        services.TryAddTransient<SelfCalls>();
        services.TryAddTransient<JobLevel>();

        services.TryAddSingleton(provider => BlobServices.Create(provider.GetRequiredService<IOptions<FanOutOptions>>().Value.Storage));
        services.TryAddSingleton(provider => new StorageReadiness(
            provider.GetRequiredService<IOptions<FanOutOptions>>().Value.Storage, () => provider.GetRequiredService<BlobServiceClient>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<StorageReadiness>>()));
        services.TryAddSingleton(provider => new SecretReadiness(
            provider.GetRequiredService<IOptions<FanOutOptions>>().Value, provider.GetRequiredService<ILogger<SecretReadiness>>()));
        services.TryAddSingleton<LedgerBlobs>(); // the ledger's container, shared by its four stores
        services.TryAddSingleton<IJobStore, BlobJobStore>();
        services.TryAddSingleton<IChunkStore, BlobChunkStore>();
        services.TryAddSingleton<IRunStore, BlobRunStore>();
        services.TryAddSingleton<ISignalStore, BlobSignalStore>();
        services.TryAddSingleton<SourceBlobs>();
        services.TryAddSingleton<SourcePlanner>();

        services.TryAddSingleton<JobIds>();
        services.TryAddSingleton<JobStatusReader>();
        services.TryAddSingleton<ChunkRecords>();
        services.TryAddSingleton<ChunkWorker>();
        services.TryAddSingleton<QuoteCounter>();
        services.TryAddTransient<StartFanoutValidator>();
        services.TryAddTransient<ChunkDispatcher>();
        services.TryAddTransient<TreeWalker>();
        services.TryAddTransient<ChunkPass>();
        services.TryAddTransient<QuotePass>();
        services.TryAddTransient<CsvStartStates>();
        services.TryAddTransient<RunPlanner>();
        services.TryAddTransient<JobFinalizer>();
        services.TryAddTransient<RunLease>();
        services.TryAddTransient<RunStarter>();
        services.TryAddTransient<JobRun>();
        services.TryAddTransient<DispatchHandler>();
        services.TryAddSingleton<WaitingInvocations>(); // per worker process, as WaitingCallers
        services.TryAddSingleton<WaitingCallers>(); // per worker process: the platform's slots are per instance
        services.TryAddTransient<JobEnd>();
        services.TryAddTransient<JobHandOff>();
        services.TryAddTransient<JobPlanner>();
        services.TryAddTransient<JobPreview>();
        services.TryAddTransient<JobEstimator>();
        services.TryAddTransient<JobAdmission>();
        services.TryAddTransient<JobCancellation>();
        services.TryAddTransient<JobUpdate>();
        services.TryAddTransient<JobPurge>();
        services.TryAddTransient<JobListing>();
        services.TryAddSingleton<IndexCursor>();
        services.TryAddTransient(provider => new JobWatchdog(
            provider.GetRequiredService<IJobStore>(), provider.GetRequiredService<IRunStore>(), provider.GetRequiredService<RunStarter>(), provider.GetRequiredService<JobIds>(),
            provider.GetRequiredService<IndexCursor>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<FanOutOptions>>(),
            provider.GetRequiredService<ILogger<JobWatchdog>>()));
        services.TryAddTransient(provider => new BatchEndpoint(
            provider.GetRequiredService<JobAdmission>(), provider.GetRequiredService<JobCancellation>(), provider.GetRequiredService<JobUpdate>(), provider.GetRequiredService<JobPurge>(), provider.GetRequiredService<JobListing>(),
            provider.GetRequiredService<ChunkWorker>(), provider.GetRequiredService<QuoteCounter>(),
            provider.GetRequiredService<DispatchHandler>(), provider.GetRequiredService<IJobStore>(), provider.GetRequiredService<JobStatusReader>(),
            provider.GetRequiredService<NoticeSender>(), provider.GetRequiredService<NoticeHandOff>(),
            provider.GetRequiredService<InternalCallSigner>(), provider.GetRequiredService<WaitingInvocations>(), provider.GetRequiredService<IOptions<FanOutOptions>>(),
            provider.GetRequiredService<ILogger<BatchEndpoint>>()));
        return fanOut;
    }
}
