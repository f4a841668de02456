using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Ticketing.Common.Testing.Processes;

/// <summary>
/// A server started by a test (nats-server, redis-server). Its output is kept for failure messages; it is
/// killed on dispose, when the test process exits, and, through a tiny watchdog, even when the test process
/// is killed outright, so no test run leaves a server behind.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyLine;

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                TryKill(process);
            }
        };
    }

    private ChildProcess(string fileName, IEnumerable<string> arguments, string readyLine, IReadOnlyDictionary<string, string>? environment)
    {
        _readyLine = readyLine;
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"{Name} exited before it was ready:\n{Output}"));
    }

    public string Name => Path.GetFileName(_process.StartInfo.FileName);
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the program (with <paramref name="environment"/> added to this process's) and returns once it printed <paramref name="readyLine"/>.</summary>
    public static async Task<ChildProcess> StartAsync(
        string fileName, IEnumerable<string> arguments, string readyLine, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var child = new ChildProcess(fileName, arguments, readyLine, environment);
        child._process.Start();
        Running[child._process.Id] = child._process;
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        StartWatchdog(child._process.Id);
        try
        {
            await child._ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync();
            throw new TimeoutException($"{child.Name} did not print '{readyLine}' within {timeout}:\n{child.Output}");
        }

        return child;
    }

    /// <summary>Finds a server program on PATH or in the sbin folders Debian installs it to.</summary>
    public static string? Find(string program)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"]);
        return folders.Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Asks the program to shut down cleanly (SIGTERM), as Kubernetes does when it restarts a pod, and kills
    /// it if it has not exited within <paramref name="grace"/>.
    /// </summary>
    public async Task StopGracefullyAsync(TimeSpan grace)
    {
        if (!_process.HasExited && SendSignal(_process.Id, SigTerm) == 0)
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(grace);
            }
            catch (TimeoutException)
            {
                // Falls through to the kill in DisposeAsync.
            }
        }

        await DisposeAsync();
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        Running.TryRemove(_process.Id, out _);
        TryKill(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Killed already; nothing more to do.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }

        if (line.Contains(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Kills the child if this test process disappears without running its clean-up.</summary>
    private static void StartWatchdog(int childId)
    {
        var watchdog = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        watchdog.ArgumentList.Add("-c");
        watchdog.ArgumentList.Add(
            $"while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 {childId} 2>/dev/null; do sleep 1; done; kill -9 {childId} 2>/dev/null; exit 0");
        using var _ = Process.Start(watchdog);
    }
}
