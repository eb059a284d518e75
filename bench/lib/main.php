<?php
/**
 * The harness behind bench/run (which installs, builds and cleans up; this
 * file measures and reports). Usage: see bench/run --help.
 */

declare(strict_types=1);

namespace Bench;

require __DIR__ . '/common.php';
require __DIR__ . '/ctx.php';
require __DIR__ . '/proc.php';
require __DIR__ . '/http.php';
require __DIR__ . '/ipc.php';
require __DIR__ . '/report.php';

$ctx = new Ctx();
$ctx->root = dirname(__DIR__, 2);
$ctx->ripple = $ctx->root . '/build/ripple';
$ctx->doc = $ctx->root . '/docs/BENCHMARKS.md';
$ctx->tmp = sys_get_temp_dir();
$reportOnly = null;
$waitIdle = 60.0;

foreach (array_slice($argv, 1) as $arg) {
    [$k, $v] = str_contains($arg, '=') ? explode('=', $arg, 2) : [$arg, null];
    match ($k) {
        '--tmp' => $ctx->tmp = $v,
        '--rounds' => $ctx->rounds = max(1, (int) $v),
        '--duration' => $ctx->duration = max(1.0, (float) $v),
        '--warmup' => $ctx->warmup = max(0.0, (float) $v),
        '--conns' => $ctx->conns = array_map('intval', explode(',', $v)),
        '--only' => $ctx->only = $v,
        '--ipc-tests' => $ctx->ipcTests = explode(',', $v),
        '--quick' => [$ctx->rounds, $ctx->duration] = [1, 2.0],
        '--no-doc' => $ctx->doc = null,
        '--doc' => $ctx->doc = $v,
        '--ripple' => $ctx->ripple = $v,
        '--report' => $reportOnly = $v,
        '--wait-idle' => $waitIdle = (float) $v,
        default => (function () use ($arg) {
            fwrite(STDERR, "bench: unknown option $arg (see bench/run --help)\n");
            exit(2);
        })(),
    };
}
$ctx->json = $ctx->root . '/bench/results/latest.json';
@mkdir(dirname($ctx->json), 0755, true);
Proc::$pidFile = $ctx->tmp . '/pids';

pcntl_async_signals(true);
foreach ([SIGINT, SIGTERM, SIGHUP] as $sig) {
    pcntl_signal($sig, function () use ($ctx) {
        $ctx->log('interrupted: stopping everything started');
        Proc::stopAll();
        exit(130);
    });
}

/** CPU cores kept busy by everything on the machine, sampled over $seconds. */
function busy_cores(float $seconds = 1.0): float
{
    $read = function (): array {
        $f = preg_split('/\s+/', trim(strtok((string) file_get_contents('/proc/stat'), "\n")));
        $v = array_map('intval', array_slice($f, 1, 8));
        return [array_sum($v), $v[3] + $v[4]]; // total, idle + iowait
    };
    [$t0, $i0] = $read();
    usleep((int) ($seconds * 1e6));
    [$t1, $i1] = $read();
    $cores = (int) trim(Ctx::sh('nproc')[1]) ?: 1;
    return $t1 > $t0 ? (1 - ($i1 - $i0) / ($t1 - $t0)) * $cores : 0.0;
}

function first_line(string $cmd, bool $anyStatus = false): string
{
    [$rc, $out] = Ctx::sh($cmd);
    $line = trim(strtok($out, "\n") ?: '');
    return ($rc === 0 || $anyStatus) && $line !== '' ? $line : 'not available';
}

if ($reportOnly !== null) {
    $results = json_decode(file_get_contents($reportOnly), true);
} else {
    // Other work on the machine skews every number: wait (bounded) for it to calm down.
    $deadline = microtime(true) + $waitIdle;
    while (($busy = busy_cores()) > 0.25 && microtime(true) < $deadline) {
        $ctx->log(sprintf('machine busy (%.2f cores in use by other work); waiting up to %.0f s more', $busy, $deadline - microtime(true)));
        sleep(4);
    }
    preg_match('/^model name\s*:\s*(.+)$/m', (string) @file_get_contents('/proc/cpuinfo'), $cpu);
    preg_match('/^MemTotal:\s*(\d+)/m', (string) @file_get_contents('/proc/meminfo'), $mem);
    preg_match('/^PRETTY_NAME="?([^"\n]+)/m', (string) @file_get_contents('/etc/os-release'), $os);
    $results = [
        'date' => gmdate('Y-m-d H:i') . ' UTC',
        'machine' => [
            'nproc' => (int) trim(Ctx::sh('nproc')[1]),
            'cpu' => $cpu[1] ?? 'unknown',
            'kernel' => php_uname('r'),
            'memory' => isset($mem[1]) ? sprintf('%.1f GiB', $mem[1] / 1048576) : 'unknown',
            'os' => $os[1] ?? 'unknown',
        ],
        'versions' => [
            'ripple' => is_executable($ctx->ripple)
                ? first_line('timeout 5 ' . escapeshellarg($ctx->ripple) . ' --version') . ' (tree at git ' . first_line('git -C ' . escapeshellarg($ctx->root) . ' rev-parse --short HEAD') . ')'
                : 'not built',
            'php' => first_line(escapeshellarg(PHP_BINARY) . ' -v'),
            'php-fpm' => first_line('php-fpm8.2 -v'),
            'nginx' => preg_replace('/^nginx version: /', '', first_line('nginx -v')),
            'wrk' => preg_replace('/ Copyright.*/', '', (Ctx::which('wrk') ? first_line('wrk --version', true) : 'not available')),
        ],
        'load_before' => trim(explode(' ', (string) @file_get_contents('/proc/loadavg'))[0]),
        'busy_before' => round($busy, 2),
        'params' => [
            'rounds' => $ctx->rounds,
            'duration' => $ctx->duration,
            'warmup' => $ctx->warmup,
            'conns' => $ctx->conns,
        ],
    ];
    $ctx->log("scratch dir {$ctx->tmp}; rounds {$ctx->rounds}; {$ctx->duration} s per HTTP run");
    try {
        if ($ctx->only === 'all' || $ctx->only === 'http') {
            $results['http'] = (new Http($ctx))->run();
        }
        if ($ctx->only === 'all' || $ctx->only === 'ipc') {
            $results['ipc'] = (new Ipc($ctx))->run();
        }
    } finally {
        Proc::stopAll();
    }
    $results['busy_after'] = round(busy_cores(), 2);
    file_put_contents($ctx->json, json_encode($results, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
    $ctx->log(sprintf('done in %.0f s; raw results in %s', microtime(true) - $ctx->t0, $ctx->json));
}

$report = new Report($results);
echo $report->terminal();
if ($ctx->doc !== null) {
    file_put_contents($ctx->doc, $report->markdown());
    fwrite(STDERR, "\nwrote {$ctx->doc}\n");
}
