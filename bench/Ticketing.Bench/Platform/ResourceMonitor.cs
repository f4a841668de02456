using System.Diagnostics;

namespace Ticketing.Bench.Platform;

/// <summary>
/// Memory and CPU of the platform's processes, from /proc: RSS sampled every 250 ms (peak per process), and CPU seconds
/// per process and phase next to the whole machine's and the bench's own, so a phase shows which process used the
/// cores and how much of the machine other users took.
/// </summary>
public sealed class ResourceMonitor
{
    private readonly Dictionary<string, List<int>> _processes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _peaks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, double>> _cpu = new(StringComparer.Ordinal);
    private readonly List<PhaseCpu> _phases = [];
    private CancellationTokenSource? _stop;
    private Task? _sampler;

    public IReadOnlyList<PhaseCpu> Phases => _phases;

    public void Track(IReadOnlyDictionary<string, List<int>> processes)
    {
        foreach (var (name, pid) in processes)
        {
            _processes[name] = pid;
            _cpu[name] = new Dictionary<string, double>(StringComparer.Ordinal);
        }
    }

    /// <summary>Each name's resident memory now (the sum over its processes that are still running).</summary>
    public Dictionary<string, double> SampleNow() =>
        _processes.Select(p => (p.Key, Mb: p.Value.Select(ProcFs.RssMb).Where(m => m is not null).ToList()))
            .Where(p => p.Mb.Count > 0)
            .ToDictionary(p => p.Key, p => p.Mb.Sum(m => m!.Value), StringComparer.Ordinal);

    private static double Cpu(List<int> pids, Dictionary<int, double>? fallback = null) =>
        pids.Sum(pid => ProcFs.CpuSeconds(pid) ?? fallback?.GetValueOrDefault(pid) ?? 0);

    public double Peak(string name)
    {
        lock (_peaks)
        {
            return _peaks.GetValueOrDefault(name, double.NaN);
        }
    }

    public IReadOnlyDictionary<string, double> CpuOf(string name) => _cpu.GetValueOrDefault(name) ?? [];

    public void StartSampling()
    {
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            do
            {
                foreach (var (name, mb) in SampleNow())
                {
                    lock (_peaks)
                    {
                        _peaks[name] = Math.Max(_peaks.GetValueOrDefault(name), mb);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
        });
    }

    public async Task StopSamplingAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _sampler!;
        _stop.Dispose();
        _stop = null;
    }

    public async Task PhaseAsync(string phase, Func<Task> work) => await PhaseAsync(phase, async () =>
    {
        await work();
        return 0;
    });

    /// <summary>Runs one phase of the bench and records the CPU each process, the bench and the machine used in it.</summary>
    public async Task<T> PhaseAsync<T>(string phase, Func<Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        var before = _processes.SelectMany(p => p.Value).Distinct().ToDictionary(pid => pid, pid => ProcFs.CpuSeconds(pid) ?? 0);
        var benchBefore = ProcFs.CpuSeconds(Environment.ProcessId) ?? 0;
        var machineBefore = ProcFs.MachineCpu();
        var result = await work();
        var seconds = clock.Elapsed.TotalSeconds;
        var machineAfter = ProcFs.MachineCpu();
        var platform = 0.0;
        foreach (var (name, pids) in _processes)
        {
            var used = Cpu(pids, before) - pids.Sum(pid => before.GetValueOrDefault(pid));
            _cpu[name][phase] = used;
            platform += used;
        }

        var bench = (ProcFs.CpuSeconds(Environment.ProcessId) ?? 0) - benchBefore;
        _phases.Add(new PhaseCpu(phase, seconds, (machineAfter.Busy - machineBefore.Busy) / seconds, platform / seconds, bench / seconds));
        return result;
    }
}
