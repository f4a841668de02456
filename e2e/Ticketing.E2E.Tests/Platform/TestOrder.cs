// Each collection starts a whole platform of its own (the default one, the short payment window one): one at a time,
// so two never compete for the machine and each is stopped before the next starts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
