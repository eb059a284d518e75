<?php
/**
 * IPC: the same scripts in two implementations, bench/ripple/X.php run by
 * build/ripple and bench/baseline/X.php run by the php CLI, alternated round
 * by round. Each run is stopped with SIGTERM to its main process once it has
 * reported, then anything left in its session is killed.
 */

declare(strict_types=1);

namespace Bench;

final class Ipc
{
    private const IMPLS = ['ripple', 'baseline'];

    /** @var array<string, string> impl => why it is skipped */
    private array $skip = [];
    /** @var array<string, int> impl => exit codes seen that were not 0 */
    public array $badExits = [];

    public function __construct(private Ctx $ctx)
    {
        if (($why = $ctx->rippleAvailable()) !== null) {
            $this->skip['ripple'] = $why;
        }
        foreach (['pcntl_fork', 'stream_socket_pair', 'posix_kill'] as $fn) {
            if (!function_exists($fn)) {
                $this->skip['baseline'] = "php CLI lacks $fn()";
            }
        }
    }

    public function run(): array
    {
        $r = ['skipped' => $this->skip];
        $want = fn (string $t) => $this->ctx->ipcTests === null || in_array($t, $this->ctx->ipcTests, true);
        $r['probe'] = $this->probe();
        if ($want('syncid')) {
            $r['syncid'] = $this->rounds('syncid', fn ($impl) => $this->syncid($impl));
        }
        if ($want('command')) {
            $r['command'] = $this->rounds('command', fn ($impl) => $this->command($impl));
        }
        if ($want('respawn')) {
            $r['respawn'] = $this->once('respawn', fn ($impl) => $this->respawn($impl));
        }
        if ($want('spawn')) {
            $r['spawn'] = $this->rounds('spawn', fn ($impl) => $this->spawn($impl));
        }
        if ($want('memory')) {
            $r['memory'] = $this->once('memory', fn ($impl) => $this->memory($impl));
        }
        $r['bad_exits'] = $this->badExits;
        return $r;
    }

    /** Runs $fn for each implementation, $ctx->rounds times, alternating; medians of each key. */
    private function rounds(string $name, \Closure $fn): array
    {
        $samples = [];
        $errors = [];
        for ($round = 0; $round < $this->ctx->rounds; $round++) {
            $impls = $round % 2 ? array_reverse(self::IMPLS) : self::IMPLS;
            foreach ($impls as $impl) {
                if (isset($this->skip[$impl])) {
                    continue;
                }
                try {
                    $s = $fn($impl);
                    $samples[$impl][] = $s;
                    $this->ctx->log("IPC: $name round " . ($round + 1) . " $impl: " . json_encode($s));
                } catch (Skip $e) {
                    $errors[$impl] = $e->getMessage();
                    $this->ctx->log("IPC: $name $impl: failed: " . $e->getMessage());
                }
            }
        }
        return $this->collect($samples, $errors);
    }

    private function once(string $name, \Closure $fn): array
    {
        $samples = [];
        $errors = [];
        foreach (self::IMPLS as $impl) {
            if (isset($this->skip[$impl])) {
                continue;
            }
            try {
                $samples[$impl][] = $s = $fn($impl);
                $this->ctx->log("IPC: $name $impl: " . json_encode($s));
            } catch (Skip $e) {
                $errors[$impl] = $e->getMessage();
                $this->ctx->log("IPC: $name $impl: failed: " . $e->getMessage());
            }
        }
        return $this->collect($samples, $errors);
    }

    private function collect(array $samples, array $errors): array
    {
        $out = [];
        foreach (self::IMPLS as $impl) {
            if (isset($this->skip[$impl])) {
                $out[$impl] = ['skipped' => $this->skip[$impl]];
                continue;
            }
            $list = $samples[$impl] ?? [];
            $m = ['runs' => count($list)];
            if (isset($errors[$impl])) {
                $m['error'] = $errors[$impl];
            }
            foreach ($list[0] ?? [] as $k => $_) {
                $vals = array_column($list, $k);
                $m[$k] = match (true) {
                    !is_numeric($vals[0]) => implode(' ', $vals),
                    str_starts_with($k, 'lost') => array_sum($vals),
                    default => median($vals),
                };
            }
            $out[$impl] = $m;
        }
        return $out;
    }

    private function start(string $impl, string $script, array $env): Proc
    {
        $ctx = $this->ctx;
        $path = "{$ctx->root}/bench/$impl/$script.php";
        $dir = $ctx->dir("ipc-$impl");
        $cmd = $impl === 'ripple'
            ? [$ctx->ripple, '--control', "$dir/control.sock", '-d', 'memory_limit=1G', $path]
            : [PHP_BINARY, '-d', 'memory_limit=1G', $path];
        $log = "$dir/$script.log";
        $p = Proc::start($cmd, $env + ['BENCH_IMPL' => $impl], $log, true, $dir);
        if ($p === null) {
            throw new Skip("could not start $impl");
        }
        return $p;
    }

    private function finish(string $impl, Proc $p, string $script): void
    {
        $code = $p->stop(5.0);
        if ($code !== 0) {
            $this->badExits["$impl $script"] = $code;
            $this->ctx->log("IPC: $impl $script: exit status $code after SIGTERM (expected 0)");
        }
    }

    private function fail(string $impl, Proc $p, string $script, string $what): never
    {
        $p->stop(1.0);
        $log = $this->ctx->dir("ipc-$impl") . "/$script.log";
        $tail = is_file($log) ? implode(' | ', array_slice(file($log, FILE_IGNORE_NEW_LINES), -3)) : '';
        throw new Skip("$what" . ($tail !== '' ? ": $tail" : ''));
    }

    /** Collects RESULT lines until RESULT done=1. */
    private function results(string $impl, Proc $p, string $script, float $timeout): array
    {
        $all = [];
        $deadline = microtime(true) + $timeout;
        while (true) {
            $line = $p->waitLine('/\bRESULT \S/', max(0.01, $deadline - microtime(true)));
            if ($line === null) {
                $this->fail($impl, $p, $script, 'no result within ' . $timeout . ' s');
            }
            $kv = kv(substr($line, strpos($line, 'RESULT ') + 7));
            if (isset($kv['done'])) {
                return $all;
            }
            $all[] = $kv;
        }
    }

    private function syncid(string $impl): array
    {
        $p = $this->start($impl, 'syncid', ['BENCH_SECONDS' => '1']);
        $res = $this->results($impl, $p, 'syncid', 30);
        $this->finish($impl, $p, 'syncid');
        return ['per_sec' => $res[0]['syncid_per_sec'], 'unique' => $res[0]['unique']];
    }

    private function command(string $impl): array
    {
        $floor = $this->pingpong('')['one_way_us'] ?? null;
        $p = $this->start($impl, 'command', [
            'BENCH_LAT_N' => '20000', 'BENCH_LAT_SECONDS' => '2',
            'BENCH_TP_SECONDS' => '2', 'BENCH_BATCH' => '1000', 'BENCH_TP_MAX' => '2000000',
        ]);
        $res = $this->results($impl, $p, 'command', 40);
        $this->finish($impl, $p, 'command');
        $by = array_column($res, null, 'phase');
        if (!isset($by['latency'], $by['throughput'])) {
            throw new Skip('incomplete results: ' . json_encode($res));
        }
        return [
            'per_sec' => $by['throughput']['per_sec'],
            'lost' => $by['throughput']['lost'] + $by['latency']['lost'],
            'sent' => $by['throughput']['sent'],
            'loaded_p50_us' => $by['throughput']['p50_us'],
            'p50_us' => $by['latency']['p50_us'],
            'p99_us' => $by['latency']['p99_us'],
            'pingpongs' => $by['latency']['received'],
            'floor_us' => $floor,
        ];
    }

    /**
     * SIGKILL each of 5 idle workers once, 0.5 s apart; kill -> the hrtime the
     * replacement writes on entering boot(). One kill per worker slot: a
     * first failure is restarted at once, while repeated fast failures of one
     * slot back off (by design, in ripple as in any supervisor).
     */
    private function respawn(string $impl): array
    {
        $n = 5;
        $p = $this->start($impl, 'idle', ['BENCH_COUNT' => (string) $n]);
        $pids = [];
        for ($i = 0; $i < $n; $i++) {
            if ($p->waitLine('/\bBOOT pid=(\d+) t=(\d+)/', 15, $m) === null) {
                $this->fail($impl, $p, 'idle', "only $i of $n workers booted");
            }
            $pids[] = (int) $m[1];
        }
        $delays = [];
        foreach ($pids as $pid) {
            usleep(500000);
            $t = hrtime(true);
            posix_kill($pid, SIGKILL);
            if ($p->waitLine('/\bBOOT pid=(\d+) t=(\d+)/', 15, $m) === null) {
                $this->fail($impl, $p, 'idle', 'no replacement booted within 15 s of SIGKILL');
            }
            $delays[] = ((int) $m[2] - $t) / 1e6;
        }
        $this->finish($impl, $p, 'idle');
        return [
            'ms' => median($delays),
            'min_ms' => min($delays),
            'max_ms' => max($delays),
            'samples_ms' => implode('/', array_map(fn ($d) => sprintf('%.2f', $d), $delays)),
        ];
    }

    /** From starting the program to the 64th worker's boot(). */
    private function spawn(string $impl): array
    {
        $n = 64;
        $t0 = hrtime(true);
        $p = $this->start($impl, 'idle', ['BENCH_COUNT' => (string) $n]);
        $last = 0;
        for ($i = 0; $i < $n; $i++) {
            if ($p->waitLine('/\bBOOT pid=(\d+) t=(\d+)/', 30, $m) === null) {
                $this->fail($impl, $p, 'idle', "only $i of $n workers booted within 30 s");
            }
            $last = max($last, (int) $m[2]);
        }
        $this->finish($impl, $p, 'idle');
        return ['ms' => ($last - $t0) / 1e6];
    }

    /** PSS/USS of the whole process tree with 1 and with N idle workers. */
    private function memory(string $impl): array
    {
        $n = 16;
        $mem = [];
        foreach ([1, $n] as $count) {
            $p = $this->start($impl, 'idle', ['BENCH_COUNT' => (string) $count]);
            for ($i = 0; $i < $count; $i++) {
                if ($p->waitLine('/\bBOOT pid=/', 30) === null) {
                    $this->fail($impl, $p, 'idle', "only $i of $count workers booted");
                }
            }
            usleep(700000); // let boot() finish and READY settle
            $mem[$count] = $p->memory();
            $this->finish($impl, $p, 'idle');
        }
        $extra = $n - 1;
        return [
            'uss_kib_per_worker' => ($mem[$n]['uss'] - $mem[1]['uss']) / $extra,
            'pss_kib_per_worker' => ($mem[$n]['pss'] - $mem[1]['pss']) / $extra,
            'rss_kib_per_worker' => ($mem[$n]['rss'] - $mem[1]['rss']) / $extra,
            'total_pss_kib_1' => $mem[1]['pss'],
            'total_pss_kib_n' => $mem[$n]['pss'],
            'procs_1' => $mem[1]['procs'],
            'procs_n' => $mem[$n]['procs'],
            'n' => $n,
        ];
    }

    /**
     * The machine's floor for waking another process: a 1-byte ping-pong
     * between two processes over a socketpair (plain PHP), unpinned and with
     * both pinned to one CPU.
     */
    private function probe(): array
    {
        $r = [];
        foreach (['any_cpu' => '', 'one_cpu' => 'taskset -c 0 '] as $k => $prefix) {
            if ($prefix !== '' && Ctx::which('taskset') === null) {
                continue;
            }
            if (($v = $this->pingpong($prefix)) !== null) {
                $r[$k] = $v;
            }
        }
        $this->ctx->log('IPC: probe ' . json_encode($r));
        return $r;
    }

    private function pingpong(string $prefix): ?array
    {
        [$rc, $out] = Ctx::sh($prefix . escapeshellarg(PHP_BINARY) . ' ' . escapeshellarg($this->ctx->root . '/bench/lib/probe-pingpong.php'));
        return $rc === 0 && preg_match('/^RESULT .*$/m', $out, $m) ? kv($m[0]) : null;
    }
}
