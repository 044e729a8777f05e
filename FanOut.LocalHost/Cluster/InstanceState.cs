namespace FanOut.LocalHost.Cluster;

/// <summary>Where an instance is in its life, as <c>GET /admin/instances</c> shows it.</summary>
internal enum InstanceState
{
    /// <summary>Its worker is starting (process, StartStream, handshake): it takes no work yet.</summary>
    Starting,

    /// <summary>Its worker serves: requests and timer occurrences are routed to it.</summary>
    Ready,

    /// <summary>It is being removed (idle, or the host stops) or its worker died: it takes no new work.</summary>
    Stopping,
}
