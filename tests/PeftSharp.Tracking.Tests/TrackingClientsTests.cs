namespace PeftSharp.Tracking.Tests;

using System;
using System.Collections.Generic;
using System.IO;
using FluentAssertions;
using Xunit;

/// <summary>Choosing the backend from MLFLOW_TRACKING_URI, through an injected variable lookup.</summary>
public sealed class TrackingClientsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Func<string, string?> Env(string? trackingUri)
    {
        var variables = new Dictionary<string, string?> { ["MLFLOW_TRACKING_URI"] = trackingUri };
        return name => variables.GetValueOrDefault(name);
    }

    [Fact]
    public void UnsetUsesTheDefaultRoot()
    {
        string root = _temp.Combine("default-mlruns");

        var client = TrackingClients.FromEnvironment(root, Env(null));

        client.Should().BeOfType<MlflowFileStore>().Which.RootDirectory.Should().Be(root);
        File.Exists(Path.Combine(root, "0", "meta.yaml")).Should().BeTrue();
        TrackingClients.FromEnvironment(root, Env("  ")).Should().BeOfType<MlflowFileStore>().Which.RootDirectory.Should().Be(root);
    }

    [Fact]
    public void UnsetWithoutADefaultRootMeansMlrunsInTheCurrentDirectory()
    {
        TrackingClients.ResolveFileStoreRoot(null).Should().Be(Path.GetFullPath("mlruns"));
        TrackingClients.ResolveFileStoreRoot(string.Empty).Should().Be(Path.Combine(Directory.GetCurrentDirectory(), "mlruns"));
    }

    [Fact]
    public void AFileUriOrAPlainPathSelectsAFileStoreThere()
    {
        string fromUri = _temp.Combine("from uri");
        string fromPath = _temp.Combine("from-path");

        var uriClient = TrackingClients.FromEnvironment(null, Env("file://" + fromUri.Replace(" ", "%20", StringComparison.Ordinal)));
        var pathClient = TrackingClients.FromEnvironment(null, Env(fromPath));

        uriClient.Should().BeOfType<MlflowFileStore>().Which.RootDirectory.Should().Be(fromUri);
        pathClient.Should().BeOfType<MlflowFileStore>().Which.RootDirectory.Should().Be(fromPath);
        Directory.Exists(Path.Combine(fromUri, "0")).Should().BeTrue();
        TrackingClients.ResolveFileStoreRoot("file:" + fromPath).Should().Be(fromPath);
        TrackingClients.ResolveFileStoreRoot("file://localhost" + fromPath).Should().Be(fromPath);
    }

    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("https://user:secret-token@mlflow.example.com/prefix")]
    public void HttpUrisSelectTheSpoolingRestClientWithoutKeepingCredentialsInTheUri(string uri)
    {
        var variables = new Dictionary<string, string?> { ["MLFLOW_TRACKING_URI"] = uri, ["PEFTSHARP_SPOOL_DIR"] = _temp.Combine("spool") };

        using var client = (SpoolingTrackingClient)TrackingClients.FromEnvironment(_temp.Path, name => variables.GetValueOrDefault(name));

        client.Server.Options.DisplayUri.Should().NotContain("secret").And.NotContain("user");
        client.Server.Options.ToString().Should().NotContain("secret");
        client.SpoolDirectory.Should().Be(_temp.Combine("spool"));
        var resolve = () => TrackingClients.ResolveFileStoreRoot(uri);
        resolve.Should().Throw<NotSupportedException>().Which.Message.Should().NotContain("secret");
    }

    [Fact]
    public void OtherSchemesAreNotSupported()
    {
        var act = () => TrackingClients.FromEnvironment(_temp.Path, Env("sqlite:///mlflow.db"));

        act.Should().Throw<NotSupportedException>().WithMessage("*'sqlite'*");
    }

    [Fact]
    public void TheParameterlessOverloadReadsTheRealEnvironment()
    {
        // Whatever the machine's MLFLOW_TRACKING_URI is, both overloads agree on the backend it selects.
        string? uri = Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI");
        if (uri is not null && !string.IsNullOrWhiteSpace(uri) && !uri.Trim().StartsWith("file:", StringComparison.OrdinalIgnoreCase) && uri.Contains("://", StringComparison.Ordinal))
        {
            return;
        }

        var client = TrackingClients.FromEnvironment(_temp.Path);

        client.Should().BeOfType<MlflowFileStore>().Which.RootDirectory.Should().Be(TrackingClients.ResolveFileStoreRoot(uri, _temp.Path));
    }
}
