// The tests measure how late jobs fire: one at a time, so they do not steal each other's CPU (2 cores shared).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
