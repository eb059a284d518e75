<?php
/**
 * A process the harness started, in a session of its own (setsid), so that
 * all its descendants can be found (CPU time, memory) and stopped together.
 */

declare(strict_types=1);

namespace Bench;

final class Proc
{
    /** @var array<int, Proc> every process started and not yet reaped */
    public static array $live = [];
    /** file the bash wrapper's trap reads to kill leftovers */
    public static ?string $pidFile = null;

    public readonly int $pid;
    /** @var resource */
    private $handle;
    /** @var resource|null */
    private $stdout = null;
    private string $buf = '';
    /** @var list<string> lines read and not yet consumed */
    private array $lines = [];
    private ?int $exitCode = null;

    /**
     * @param list<string> $cmd
     * @param array<string, string> $env added to the harness's environment
     */
    public static function start(array $cmd, array $env, string $log, bool $pipeStdout = false, ?string $cwd = null): ?self
    {
        $desc = [
            0 => ['file', '/dev/null', 'r'],
            1 => $pipeStdout ? ['pipe', 'w'] : ['file', $log, 'a'],
            2 => ['file', $log, 'a'],
        ];
        $fullEnv = array_merge(getenv(), $env);
        $handle = @proc_open(array_merge(['setsid'], $cmd), $desc, $pipes, $cwd, $fullEnv);
        if ($handle === false) {
            return null;
        }
        $p = new self($handle, $pipes[1] ?? null);
        self::$live[$p->pid] = $p;
        if (self::$pidFile !== null) {
            file_put_contents(self::$pidFile, $p->pid . "\n", FILE_APPEND);
        }
        return $p;
    }

    private function __construct($handle, $stdout)
    {
        $this->handle = $handle;
        $this->pid = proc_get_status($handle)['pid'];
        if ($stdout !== null) {
            stream_set_blocking($stdout, false);
            $this->stdout = $stdout;
        }
    }

    public function alive(): bool
    {
        if ($this->exitCode !== null) {
            return false;
        }
        $st = proc_get_status($this->handle);
        if ($st['running']) {
            return true;
        }
        $this->exitCode = $st['signaled'] ? 128 + $st['termsig'] : $st['exitcode'];
        return false;
    }

    public function exitCode(): ?int
    {
        $this->alive();
        return $this->exitCode;
    }

    /** Reads stdout for at most $timeout seconds; true when something came. */
    private function pump(float $timeout): bool
    {
        if ($this->stdout === null) {
            usleep((int) ($timeout * 1e6));
            return false;
        }
        $r = [$this->stdout];
        $w = $e = null;
        $us = (int) max(0, $timeout * 1e6);
        if (!@stream_select($r, $w, $e, intdiv($us, 1000000), $us % 1000000)) {
            return false;
        }
        $chunk = fread($this->stdout, 65536);
        if ($chunk === '' || $chunk === false) {
            if (feof($this->stdout)) {
                fclose($this->stdout);
                $this->stdout = null;
            }
            return false;
        }
        $this->buf .= $chunk;
        while (($nl = strpos($this->buf, "\n")) !== false) {
            $this->lines[] = substr($this->buf, 0, $nl);
            $this->buf = substr($this->buf, $nl + 1);
        }
        return true;
    }

    /**
     * The next stdout line matching $re (earlier lines are dropped), or null
     * after $timeout seconds or when the process's stdout closed.
     *
     * @param array<int, string>|null $m receives the match groups
     */
    public function waitLine(string $re, float $timeout, ?array &$m = null): ?string
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            while ($this->lines !== []) {
                $line = array_shift($this->lines);
                if (preg_match($re, $line, $m)) {
                    return $line;
                }
            }
            $left = $deadline - microtime(true);
            if ($left <= 0 || ($this->stdout === null)) {
                return null;
            }
            $this->pump(min($left, 0.2));
        }
    }

    /** Pids of every process in this session (the leader and its descendants). */
    public function sessionPids(): array
    {
        $pids = [];
        foreach (glob('/proc/[0-9]*/stat') as $f) {
            $s = @file_get_contents($f);
            if ($s === false) {
                continue;
            }
            $fields = explode(' ', substr($s, strrpos($s, ')') + 2));
            // after "pid (comm) ": state ppid pgrp session ...
            if ((int) $fields[3] === $this->pid) {
                $pids[] = (int) $s;
            }
        }
        return $pids;
    }

    /** utime+stime of the live processes plus cutime+cstime of reaped ones, in clock ticks. */
    public function cpuTicks(): int
    {
        $ticks = 0;
        foreach ($this->sessionPids() as $pid) {
            $s = @file_get_contents("/proc/$pid/stat");
            if ($s === false) {
                continue;
            }
            $f = explode(' ', substr($s, strrpos($s, ')') + 2));
            // fields 14..17 of stat (utime stime cutime cstime) = index 11..14 here
            $ticks += (int) $f[11] + (int) $f[12] + (int) $f[13] + (int) $f[14];
        }
        return $ticks;
    }

    /**
     * Sum over the session of smaps_rollup fields, in KiB:
     * ['pss' => .., 'uss' => .., 'rss' => .., 'procs' => n].
     */
    public function memory(): array
    {
        $sum = ['pss' => 0, 'uss' => 0, 'rss' => 0, 'procs' => 0];
        foreach ($this->sessionPids() as $pid) {
            $s = @file_get_contents("/proc/$pid/smaps_rollup");
            if ($s === false) {
                continue;
            }
            preg_match_all('/^(\w+):\s+(\d+) kB/m', $s, $m, PREG_SET_ORDER);
            $v = [];
            foreach ($m as [, $k, $kb]) {
                $v[$k] = (int) $kb;
            }
            $sum['pss'] += $v['Pss'] ?? 0;
            $sum['rss'] += $v['Rss'] ?? 0;
            $sum['uss'] += ($v['Private_Clean'] ?? 0) + ($v['Private_Dirty'] ?? 0);
            $sum['procs']++;
        }
        return $sum;
    }

    public function signal(int $sig): void
    {
        if ($this->alive()) {
            posix_kill($this->pid, $sig);
        }
    }

    /** SIGTERM (or $sig), up to $grace seconds, then SIGKILL for the whole session. */
    public function stop(float $grace = 5.0, int $sig = SIGTERM): ?int
    {
        $this->signal($sig);
        $deadline = microtime(true) + $grace;
        while ($this->alive() && microtime(true) < $deadline) {
            $this->pump(0.05); // keep draining so a chatty process never blocks on its pipe
        }
        $this->killSession();
        if ($this->stdout !== null) {
            fclose($this->stdout);
            $this->stdout = null;
        }
        proc_close($this->handle);
        unset(self::$live[$this->pid]);
        return $this->exitCode;
    }

    private function killSession(): void
    {
        @posix_kill(-$this->pid, SIGKILL);
        foreach ($this->sessionPids() as $pid) {
            @posix_kill($pid, SIGKILL);
        }
        for ($i = 0; $i < 100 && $this->alive(); $i++) {
            usleep(10000);
        }
    }

    public static function stopAll(): void
    {
        foreach (self::$live as $p) {
            $p->stop(1.0);
        }
    }
}
