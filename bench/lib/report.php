<?php
/**
 * Turns the results into tables (printed, and written to docs/BENCHMARKS.md)
 * and checks them against the project's targets.
 */

declare(strict_types=1);

namespace Bench;

final class Report
{
    public function __construct(private array $r)
    {
    }

    private static function n(?float $v, int $dec = 0): string
    {
        return $v === null ? '–' : number_format($v, $dec, '.', ',');
    }

    private static function ratio(?float $a, ?float $b): string
    {
        if ($a === null || $b === null || $b == 0.0) {
            return '–';
        }
        $x = $a / $b;
        return ($x >= 100 ? number_format($x, 0, '.', ',') : ($x >= 10 ? sprintf('%.1f', $x) : sprintf('%.2f', $x))) . '×';
    }

    private static function table(array $head, array $rows): string
    {
        $s = '| ' . implode(' | ', $head) . " |\n";
        $s .= '|' . implode('|', array_map(fn ($h) => ' --- ', $head)) . "|\n";
        foreach ($rows as $row) {
            $row = array_map(fn ($cell) => str_replace(['|', "\n"], ['/', ' '], (string) $cell), $row);
            $s .= '| ' . implode(' | ', $row) . " |\n";
        }
        return $s;
    }

    private function http(string $id, int $conns): ?array
    {
        return $this->r['http']['summary'][$id][$conns] ?? null;
    }

    /** The ripple configuration and the php-fpm one with the most req/s at $conns. */
    private function best(string $kind, int $conns): ?string
    {
        $best = null;
        foreach ($this->r['http']['contenders'] ?? [] as $id => $c) {
            if ($c['kind'] === $kind && ($s = $this->http($id, $conns)) && $s['rps'] !== null) {
                if ($best === null || $s['rps'] > $this->http($best, $conns)['rps']) {
                    $best = $id;
                }
            }
        }
        return $best;
    }

    public function httpSection(): string
    {
        if (!isset($this->r['http'])) {
            return "HTTP hello: not run\n";
        }
        $h = $this->r['http'];
        if (isset($h['skipped']['all'])) {
            return "HTTP hello: skipped: {$h['skipped']['all']}\n";
        }
        $out = '';
        foreach ($this->r['params']['conns'] as $conns) {
            $fpm = $this->best('fpm', $conns);
            $ceil = isset($h['summary']['ceiling'][$conns]) ? 'ceiling' : null;
            $rows = [];
            foreach ($h['contenders'] as $id => $c) {
                $s = $this->http($id, $conns);
                if ($s === null) {
                    $why = $h['skipped'][$id] ?? 'not run';
                    $why = strlen($why) > 100 ? substr($why, 0, 99) . '…' : $why;
                    $rows[] = [$c['label'], "skipped: $why", '', '', '', '', '', ''];
                    continue;
                }
                $rows[] = [
                    $c['label'],
                    self::n($s['rps']),
                    self::n($s['p50_us'] / 1000, 2),
                    self::n($s['p99_us'] / 1000, 2),
                    self::n($s['cpu_us_per_req'], 1),
                    $s['errors'] . (($s['read_errors'] ?? 0) > 0 ? " (read: {$s['read_errors']})" : ''),
                    $fpm ? self::ratio($s['rps'], $this->http($fpm, $conns)['rps']) : '–',
                    $ceil ? self::ratio($s['rps'], $this->http($ceil, $conns)['rps']) : '–',
                ];
            }
            $rounds = $this->r['params']['rounds'];
            $out .= "\n**$conns connections** (wrk -t1 -c$conns, median of $rounds round" . ($rounds > 1 ? 's' : '')
                . ' of ' . $this->r['params']['duration'] . " s)\n\n";
            $out .= self::table(
                ['server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'errors', '÷ best php-fpm', '÷ nginx ceiling'],
                $rows,
            );
        }
        $closes = false;
        foreach ($h['summary'] ?? [] as $byConns) {
            foreach ($byConns as $s) {
                $closes = $closes || ($s['read_errors'] ?? 0) > 0;
            }
        }
        foreach ($h['bad_exits'] ?? [] as $id => $codes) {
            $out .= "\n- $id exited with status $codes after SIGTERM (expected 0)\n";
        }
        if ($closes) {
            $out .= "\n\"read\" errors: wrk counts a connection the server closes as a read error. php -S closes"
                . " the connection after every response (`Connection: close`), so its count is its number of"
                . " requests; its responses are complete.\n";
        }
        return $out;
    }

    private function ipc(string $test, string $impl): ?array
    {
        $v = $this->r['ipc'][$test][$impl] ?? null;
        return ($v === null || isset($v['skipped']) || ($v['runs'] ?? 0) === 0) ? null : $v;
    }

    private function ipcCell(string $test, string $impl, string $key, int $dec): string
    {
        $v = $this->r['ipc'][$test][$impl] ?? null;
        if ($v === null) {
            return 'not run';
        }
        if (isset($v['skipped'])) {
            return 'skipped';
        }
        if (!isset($v[$key])) {
            return 'failed';
        }
        return self::n($v[$key], $dec);
    }

    public function ipcSection(): string
    {
        $ipc = $this->r['ipc'] ?? null;
        if ($ipc === null) {
            return "IPC: not run\n";
        }
        $rows = [];
        $line = function (string $label, string $test, string $key, int $dec, ?bool $higherBetter) use (&$rows) {
            $a = $this->ipc($test, 'ripple')[$key] ?? null;
            $b = $this->ipc($test, 'baseline')[$key] ?? null;
            $rows[] = [
                $label,
                $this->ipcCell($test, 'ripple', $key, $dec),
                $this->ipcCell($test, 'baseline', $key, $dec),
                match ($higherBetter) {
                    null => '–',
                    true => self::ratio($a, $b),
                    false => self::ratio($b, $a),
                },
            ];
        };
        $line('syncId() calls/s, one worker', 'syncid', 'per_sec', 0, true);
        $line('commands/s worker→worker (100 B)', 'command', 'per_sec', 0, true);
        $line('commands lost', 'command', 'lost', 0, null);
        $line('one-way latency p50 µs (one in flight)', 'command', 'p50_us', 1, false);
        $line('one-way latency p99 µs (one in flight)', 'command', 'p99_us', 1, false);
        $line('machine floor µs (plain ping-pong one way, just before)', 'command', 'floor_us', 1, null);
        $line('one-way latency p50 µs (under full load)', 'command', 'loaded_p50_us', 0, false);
        $line('SIGKILL → replacement boot() ms (median)', 'respawn', 'ms', 2, false);
        $line('start → 64 workers booted ms', 'spawn', 'ms', 1, false);
        $line('USS KiB per extra idle worker', 'memory', 'uss_kib_per_worker', 0, false);
        $line('PSS KiB per extra idle worker', 'memory', 'pss_kib_per_worker', 0, false);
        $out = "\n" . self::table(['measure', 'ripple', 'plain PHP baseline', 'ripple advantage'], $rows);
        foreach (['ripple', 'baseline'] as $impl) {
            foreach (['syncid', 'command', 'respawn', 'spawn', 'memory'] as $t) {
                $v = $ipc[$t][$impl] ?? [];
                if (isset($v['error'])) {
                    $out .= "\n- $impl $t: failed: " . $v['error'];
                }
            }
            if (isset($ipc['skipped'][$impl])) {
                $out .= "\n- $impl: skipped: " . $ipc['skipped'][$impl];
            }
        }
        if (($rs = $this->ipc('respawn', 'ripple')) !== null) {
            $out .= "\n- ripple respawn samples (ms): {$rs['samples_ms']}";
        }
        if (($rs = $this->ipc('respawn', 'baseline')) !== null) {
            $out .= "\n- baseline respawn samples (ms): {$rs['samples_ms']}";
        }
        foreach ($ipc['bad_exits'] ?? [] as $what => $code) {
            $out .= "\n- $what exited with status $code after SIGTERM (expected 0)";
        }
        $probe = $ipc['probe'] ?? [];
        if (isset($probe['any_cpu'])) {
            $out .= sprintf(
                "\n- machine probe, 1-byte ping-pong between two plain processes: %.1f µs one way (%s round trips/s)%s",
                $probe['any_cpu']['one_way_us'],
                self::n($probe['any_cpu']['roundtrips_per_sec']),
                isset($probe['one_cpu']) ? sprintf('; %.1f µs with both pinned to one CPU', $probe['one_cpu']['one_way_us']) : '',
            );
        }
        return $out . "\n";
    }

    /** @return list<array{string, string, string, string}> [target, measured, status, margin] */
    public function targets(): array
    {
        $t = [];
        $check = function (string $what, ?float $actual, float $target, bool $atLeast, string|\Closure $fmt, string $detail = '') use (&$t) {
            $show = fn (float $v) => $fmt instanceof \Closure ? $fmt($v) : sprintf($fmt, $v);
            if ($actual === null) {
                $t[] = [$what, 'not measured' . ($detail !== '' ? " ($detail)" : ''), 'not measured', '–'];
                return;
            }
            $ok = $atLeast ? $actual >= $target : $actual <= $target;
            $t[] = [
                $what,
                $show($actual) . ($detail !== '' ? " ($detail)" : ''),
                $ok ? '**met**' : '**missed**',
                $target != 0.0 ? sprintf('%.2f× the %s', $actual / $target, $atLeast ? 'target' : 'limit') : '–',
            ];
        };
        $c = 64;
        $rip = $this->best('ripple', $c);
        $fpm = $this->best('fpm', $c);
        $ripS = $rip ? $this->http($rip, $c) : null;
        $fpmS = $fpm ? $this->http($fpm, $c) : null;
        $ceil = $this->http('ceiling', $c);
        $check(
            'HTTP hello req/s ≥ 8× nginx+php-fpm (64 conns)',
            $ripS && $fpmS ? $ripS['rps'] / $fpmS['rps'] : null,
            8,
            true,
            '%.2f×',
            $ripS && $fpmS
                ? sprintf('%s %s req/s vs %s %s req/s', $rip, self::n($ripS['rps']), $fpm, self::n($fpmS['rps']))
                : 'ripple or php-fpm not run',
        );
        $check(
            'HTTP hello req/s ≥ 0.9× nginx return 200 (64 conns)',
            $ripS && $ceil ? $ripS['rps'] / $ceil['rps'] : null,
            0.9,
            true,
            '%.2f×',
            $ripS && $ceil
                ? sprintf('%s %s req/s vs nginx %s req/s', $rip, self::n($ripS['rps']), self::n($ceil['rps']))
                : 'ripple or nginx not run',
        );
        $check(
            'server CPU per request ≤ nginx return 200 (64 conns)',
            $ripS && $ceil ? $ripS['cpu_us_per_req'] : null,
            $ceil['cpu_us_per_req'] ?? 0.0,
            false,
            '%.1f µs',
            $ripS && $ceil ? sprintf('%s; nginx %.1f µs', $rip, $ceil['cpu_us_per_req']) : 'ripple or nginx not run',
        );
        $sr = $this->ipc('syncid', 'ripple')['per_sec'] ?? null;
        $sb = $this->ipc('syncid', 'baseline')['per_sec'] ?? null;
        $check('syncId() ≥ 20 M/s in one process', $sr, 20e6, true, fn ($v) => sprintf('%.1f M/s', $v / 1e6));
        $check(
            'syncId() ≥ 1000× the PHP baseline',
            $sr && $sb ? $sr / $sb : null,
            1000,
            true,
            fn ($v) => self::n($v) . '×',
            $sb ? 'baseline ' . self::n($sb) . ' /s' : '',
        );
        $cmd = $this->ipc('command', 'ripple');
        $cmdBase = $this->ipc('command', 'baseline');
        $check(
            '≥ 200,000 commands/s worker→worker',
            $cmd['per_sec'] ?? null,
            200000,
            true,
            fn ($v) => self::n($v) . ' /s',
            isset($cmdBase['per_sec']) ? 'baseline ' . self::n($cmdBase['per_sec']) . ' /s' : '',
        );
        $check('zero commands lost', $cmd['lost'] ?? null, 0, false, '%.0f lost');
        $check(
            'one-way p50 ≤ 20 µs (one command in flight)',
            $cmd['p50_us'] ?? null,
            20,
            false,
            '%.1f µs',
            implode('; ', array_filter([
                isset($cmd['floor_us']) ? sprintf('machine floor %.1f µs', $cmd['floor_us']) : '',
                isset($cmdBase['p50_us']) ? sprintf('baseline %.1f µs', $cmdBase['p50_us']) : '',
            ])),
        );
        $respBase = $this->ipc('respawn', 'baseline')['ms'] ?? null;
        $check(
            'replacement boot() < 5 ms after SIGKILL (median)',
            $this->ipc('respawn', 'ripple')['ms'] ?? null,
            5,
            false,
            '%.2f ms',
            $respBase !== null ? sprintf('baseline %.2f ms', $respBase) : '',
        );
        $check('≤ 0.5 MiB USS per extra idle worker', $this->ipc('memory', 'ripple')['uss_kib_per_worker'] ?? null, 512, false, '%.0f KiB');
        return $t;
    }

    public function targetsSection(): string
    {
        return "\n" . self::table(['target', 'measured', 'status', 'margin'], $this->targets());
    }

    public function terminal(): string
    {
        return "\n== HTTP hello ==\n" . $this->httpSection()
            . "\n== IPC ==\n" . $this->ipcSection()
            . "\n== Targets ==\n" . $this->targetsSection();
    }

    public function markdown(): string
    {
        $m = $this->r['machine'];
        $v = $this->r['versions'];
        $p = $this->r['params'];
        $skipped = [];
        foreach ($this->r['http']['skipped'] ?? [] as $id => $why) {
            $skipped[] = "- HTTP $id: skipped: $why";
        }
        foreach ($this->r['ipc']['skipped'] ?? [] as $impl => $why) {
            $skipped[] = "- IPC $impl: skipped: $why";
        }
        $skippedText = $skipped ? implode("\n", $skipped) : '- nothing was skipped';
        $versions = '';
        foreach ($v as $k => $s) {
            $versions .= "- $k: `$s`\n";
        }
        $conns = implode(' and ', array_map(fn ($c) => "`-c$c`", $p['conns']));
        $rounds = $p['rounds'] . ' round' . ($p['rounds'] > 1 ? 's' : '');
        $date = $this->r['date'];
        $load = sprintf(
            '%s cores in use by other work just before the run, %s just after (1-min load average before: %s)',
            $this->r['busy_before'] ?? '?',
            $this->r['busy_after'] ?? '?',
            $this->r['load_before'] ?? '?',
        );
        if (($this->r['busy_before'] ?? 0) > 0.25 || ($this->r['busy_after'] ?? 0) > 0.25) {
            $load .= ' — other work was running on the machine, so these numbers are noisier than usual';
        }
        return <<<MD
            # Benchmarks

            ripple against what PHP services run on today, side by side on one machine
            in one run. `bench/run` wrote this file from its run of $date: every number
            below comes from that run.

            ## Reproduce

            ```sh
            bench/run            # as root it apt-installs nginx, php8.2-fpm, php8.2-cli, wrk; builds build/ripple if missing
            bench/run --quick    # 1 round of 2 s runs, for a smoke test
            bench/run --help     # rounds, durations, --only=http|ipc, --no-doc
            ```

            The whole run takes about 5 minutes on the machine below (plus up to 60 s of
            waiting for other work on the machine to stop). It only talks to
            127.0.0.1, runs every server from a scratch directory with its own config
            (no system service, no root-only path) and stops everything it started.

            ## Machine

            - CPU: {$m['cpu']} × {$m['nproc']} (nproc)
            - kernel: {$m['kernel']}
            - memory: {$m['memory']}
            - OS: {$m['os']}
            - machine load: {$load}

            ## Versions

            $versions
            ## Targets

            {$this->targetsSection()}
            "Best" below means the ripple configuration (1 or 2 workers) and the php-fpm
            configuration (2 or 8 children) with the most requests/s at 64 connections;
            the CPU target uses that same ripple configuration.

            ## HTTP hello

            `GET /` answered with `hello\\n` by each server, measured with
            `wrk -t1 --latency` at {$conns} connections ({$p['warmup']} s warm-up, then {$p['duration']} s
            measured), the servers visited round-robin, the order rotated each round, $rounds, medians shown.
            "server CPU µs/req" is utime+stime of every process of that server (all of
            its session, from `/proc/PID/stat`) over the measured run, divided by the
            requests wrk counted. wrk runs on the same 2 cores and takes one of them.

            - ripple: `examples/http-hello.php` with `HTTP_WORKERS=1` and `2`.
            - nginx + php-fpm: nginx with 1 worker and fastcgi over a unix socket to
              php-fpm `pm = static` with 2 and 8 children, opcache on
              (`validate_timestamps=0`), `hello.php` is `<?php echo "hello\\n";`.
            - php -S: the CLI's built-in server, one process, opcache on.
            - nginx return 200: `return 200 "hello\\n";` with 1 worker, the machine's
              ceiling for an HTTP/1.1 hello. Both nginx setups allow 1,000,000 requests
              per keep-alive connection so wrk's connections are never recycled.
            {$this->httpSection()}
            ## IPC

            ripple's scripts in `bench/ripple/` run by `build/ripple`, against the same
            jobs done the way PHP libraries do them today (`bench/baseline/`: pcntl_fork,
            stream_socket_pair, serialize(), a stream_select loop in the parent that
            unserializes every envelope to route it and holds the id counter), run by
            the php CLI. Runs alternate between the two: syncId(), commands and spawn
            are medians of $rounds, respawn and memory come from one run each.

            - syncId(): calls in a tight loop for 1 s in one worker (baseline: a
              request/response to the parent per id).
            - commands: a `source` service sends
              `Command('x', [str_repeat('a', 100), hrtime(true)])` to a `sink` service
              through the manager; the sink takes the one-way latency from the embedded
              hrtime. Latency: one command in flight (the sink acks each), up to 20,000
              or 2 s. Throughput: batches of 1,000 per loop tick for 2 s, rate = received
              / (first send → last receipt), losses = sent − received when the ordered
              `end` command arrives.
            - respawn: 5 idle workers, each SIGKILLed once, 0.5 s apart; time from the
              kill to the hrtime the replacement writes on entering boot(). One kill per
              worker slot because a slot that keeps dying young is restarted with
              exponential backoff (by design; the baseline restarts at once every time).
              The median of the 5 is the figure.
            - spawn: from starting the program to the 64th worker's boot().
            - memory: sum of USS (Private_Clean + Private_Dirty) and PSS over every
              process of the run (`/proc/PID/smaps_rollup`) with 16 idle workers minus
              the same with 1, divided by 15.
            {$this->ipcSection()}
            ## Reading the numbers

            - The machine has 2 cores and wrk needs one of them, so every HTTP server gets
              about one core: ripple with 2 workers has them compete with wrk.
            - "under full load" latency is queueing, not transport: the source enqueues
              commands faster than they are delivered, so the figure grows with the run's
              length. The one-in-flight figures are the transport's latency.
            - Respawn and spawn times include waking the manager on SIGCHLD and getting
              the new process onto a CPU, so they move with the same VM wake-up cost from
              run to run (a few ms on a warm machine, 2–4× that on an idle one), the
              baseline's as much as ripple's.
            - The machine floor is the cost of waking another process here: a plain PHP
              socketpair ping-pong between two processes, run just before each command
              run (and once at the start, unpinned and pinned to one CPU). On this VM a
              hop that has to wake an idle vCPU costs about 40–50 µs, against 2–3 µs when
              the vCPUs are kept awake by other work, and which one a run gets depends on
              the host; so the one-way latencies, ripple's and the baseline's, are read
              against the floor of the same run. The baseline's syncId() (one round trip
              to the parent per id) moves with the floor too, and so does the ratio
              ripple / baseline.

            ## What bounds the missed targets

            - HTTP: PHP is about 3% of a worker's CPU per request; the rest is the
              kernel (about 58%), libc (malloc and printf-style header formatting, about
              19%) and libevent's evhttp (about 17%) (perf, one worker under wrk). evhttp
              makes more system calls per request than nginx (strace: readv, an
              FIONREAD ioctl, writev and epoll_ctl calls against nginx's recvfrom +
              writev). Switching the event base to epoll's changelist (fewer epoll_ctl)
              took ripple from about 69k to 82k req/s with 1 worker. The remaining gap
              to nginx's `return 200` is evhttp's per-request work, which only a
              hand-written HTTP/1.1 layer would remove; "8× php-fpm" at 64 connections
              would also be above nginx's own ceiling on this 2-core machine (wrk takes
              one core), so it cannot be met here by any server.
            - One-way latency: ripple's hop (worker → manager → worker) sits a few µs
              above the same run's floor for one process waking another; on an idle VM
              that floor alone is about 40 µs, above the 20 µs target.

            ## Skipped

            $skippedText

            MD;
    }
}
