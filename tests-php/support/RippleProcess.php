<?php
declare(strict_types=1);

namespace Ripple\Tests;

/**
 * One ripple process started by a test: pipes for stdout/stderr, waits with
 * timeouts, signals, and a destructor that kills what is left (workers die
 * with their manager).
 */
final class RippleProcess
{
    /** @var resource */
    private $proc;
    /** @var array<int, resource> */
    private array $pipes;
    private string $out = '';
    private string $err = '';
    private ?int $exitCode = null;
    private int $pid;
    private string $control;

    /**
     * @param list<string> $args  options and script for ripple (a private --control socket is added)
     * @param array<string, string> $env  added to the environment
     */
    public function __construct(array $args, array $env = [], ?string $stdin = null)
    {
        static $n = 0;
        $this->control = sys_get_temp_dir() . '/ripple-phpunit-' . getmypid() . '-' . (++$n) . '.sock';
        $cmd = array_merge([RIPPLE_TEST_BINARY, '--control', $this->control], $args);
        $spec = [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']];
        $proc = proc_open($cmd, $spec, $pipes, dirname(__DIR__, 2), array_merge(getenv(), $env));
        if (!is_resource($proc)) {
            throw new \RuntimeException('proc_open(' . implode(' ', $cmd) . ') failed');
        }
        $this->proc = $proc;
        $this->pipes = $pipes;
        if ($stdin !== null) {
            fwrite($pipes[0], $stdin);
        }
        fclose($pipes[0]);
        stream_set_blocking($pipes[1], false);
        stream_set_blocking($pipes[2], false);
        $this->pid = (int) proc_get_status($proc)['pid'];
    }

    public function __destruct()
    {
        $this->kill();
        @unlink($this->control);
    }

    public function pid(): int { return $this->pid; }
    public function out(): string { return $this->out; }
    public function err(): string { return $this->err; }
    public function output(): string { return "--- stdout\n{$this->out}--- stderr\n{$this->err}"; }

    /** Reads what is available, waiting at most $timeout seconds for something. */
    public function pump(float $timeout): void
    {
        $read = [];
        foreach ([1, 2] as $i) {
            if (isset($this->pipes[$i]) && !feof($this->pipes[$i])) {
                $read[] = $this->pipes[$i];
            }
        }
        if ($read === []) {
            usleep((int) min($timeout * 1e6, 10000));
            return;
        }
        $write = $except = [];
        $sec = (int) $timeout;
        if (@stream_select($read, $write, $except, $sec, (int) (($timeout - $sec) * 1e6)) > 0) {
            foreach ($read as $r) {
                $chunk = (string) fread($r, 65536);
                if ($r === $this->pipes[1]) {
                    $this->out .= $chunk;
                } else {
                    $this->err .= $chunk;
                }
            }
        }
    }

    /** Waits until $cond($this) is true; false on timeout. */
    public function waitUntil(callable $cond, float $timeout): bool
    {
        $deadline = microtime(true) + $timeout;
        while (!$cond($this)) {
            $left = $deadline - microtime(true);
            if ($left <= 0 || ($this->exited() && $this->eof())) {
                return (bool) $cond($this);
            }
            $this->pump(min($left, 0.05));
        }
        return true;
    }

    /** Waits until stdout (or stderr) contains $needle $count times. */
    public function waitFor(string $needle, float $timeout = 15.0, int $count = 1, bool $stderr = false): bool
    {
        return $this->waitUntil(
            fn () => substr_count($stderr ? $this->err : $this->out, $needle) >= $count,
            $timeout,
        );
    }

    public function signal(int $signo): void
    {
        if (!$this->exited()) {
            posix_kill($this->pid, $signo);
        }
    }

    public function exited(): bool
    {
        if ($this->exitCode === null) {
            $st = proc_get_status($this->proc);
            if (!$st['running']) {
                $this->exitCode = $st['signaled'] ? 128 + $st['termsig'] : $st['exitcode'];
            }
        }
        return $this->exitCode !== null;
    }

    private function eof(): bool
    {
        return feof($this->pipes[1]) && feof($this->pipes[2]);
    }

    /** Waits for the exit and the end of output; returns the exit code (128+N for signal N) or null on timeout. */
    public function wait(float $timeout = 15.0): ?int
    {
        $ok = $this->waitUntil(fn () => $this->exited() && $this->eof(), $timeout);
        return $ok || $this->exited() ? $this->exitCode : null;
    }

    /** SIGTERM, then the exit code; SIGKILL if it does not end in time. */
    public function stop(float $timeout = 15.0): ?int
    {
        $this->signal(SIGTERM);
        $code = $this->wait($timeout);
        if ($code === null) {
            $this->kill();
        }
        return $code;
    }

    public function kill(): void
    {
        if (!$this->exited()) {
            posix_kill($this->pid, SIGKILL);
            $this->waitUntil(fn () => $this->exited(), 5.0);
        }
        foreach ($this->pipes as $i => $p) {
            if (is_resource($p)) {
                fclose($p);
            }
            unset($this->pipes[$i]);
        }
        if (is_resource($this->proc)) {
            proc_close($this->proc);
        }
    }

    /** @return list<string> the lines of stdout that start with (or contain) "RESULT " , without that prefix */
    public function results(): array
    {
        $r = [];
        foreach (explode("\n", $this->out) as $line) {
            $p = strpos($line, 'RESULT ');
            if ($p !== false) {
                $r[] = substr($line, $p + 7);
            }
        }
        return $r;
    }
}
