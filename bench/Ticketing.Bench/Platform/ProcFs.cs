using System.Globalization;
using System.Text;

namespace Ticketing.Bench.Platform;

/// <summary>What Linux's /proc says about a process and the machine: resident memory, CPU time, who listens on a port.</summary>
public static class ProcFs
{
    /// <summary>Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every Linux this runs on).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>VmRSS of the process in MB, or null when it is gone.</summary>
    public static double? RssMb(int pid)
    {
        var line = ReadLines($"/proc/{pid}/status")?.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>The parent process id, or null when the process is gone.</summary>
    public static int? ParentOf(int pid)
    {
        var line = ReadLines($"/proc/{pid}/status")?.FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
        return line is null ? null : int.Parse(line["PPid:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>User + system CPU seconds the process has used so far, or null when it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        if (stat is null)
        {
            return null;
        }

        // Fields after the command (which may contain spaces) in parentheses: state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>(busy, total) CPU seconds of the whole machine since boot, all cores.</summary>
    public static (double Busy, double Total) MachineCpu()
    {
        var parts = (Read("/proc/stat") ?? "cpu 0 0 0 0").Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var total = parts.Sum();
        var idle = parts[3] + (parts.Length > 4 ? parts[4] : 0); // idle + iowait
        return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
    }

    public static string LoadAverage() => string.Join(' ', (Read("/proc/loadavg") ?? "?").Split(' ').Take(3));

    public static string[] CommandLine(int pid) =>
        (Read($"/proc/{pid}/cmdline") ?? string.Empty).Split('\0', StringSplitOptions.RemoveEmptyEntries);

    public static bool HasEnvironment(int pid, string entry) =>
        (Read($"/proc/{pid}/environ") ?? string.Empty).Split('\0').Contains(entry, StringComparer.Ordinal);

    public static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture));

    /// <summary>The process listening on a TCP port of this machine (found through the socket's inode), or null.</summary>
    public static int? ListeningPid(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in (ReadLines(table) ?? []).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && f[3] == "0A" && int.Parse(f[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    inodes.Add($"socket:[{f[9]}]");
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var pid in AllPids())
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target)))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone, or another user's process.
            }
        }

        return null;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[]? ReadLines(string path) => Read(path)?.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
