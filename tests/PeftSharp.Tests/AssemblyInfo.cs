using Xunit;

// LibTorch's random generator and thread pool are process-wide: tests that seed and draw from it must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
