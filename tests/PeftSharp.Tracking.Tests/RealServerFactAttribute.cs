namespace PeftSharp.Tracking.Tests;

using System;
using Xunit;

/// <summary>A test that runs only when <c>MLFLOW_TRACKING_URI</c> names a real server (http or https); skipped, not failed, otherwise.</summary>
public sealed class RealServerFactAttribute : FactAttribute
{
    public RealServerFactAttribute()
    {
        if (!TrackingClients.IsServerUri(Environment.GetEnvironmentVariable(TrackingClients.TrackingUriVariable)))
        {
            Skip = "Set MLFLOW_TRACKING_URI=http(s)://... (and credentials if needed) to run this test against a real MLflow server.";
        }
    }
}
