<?php
/**
 * Helpers shared by the ripple-side and the baseline-side bench scripts
 * (bench/ripple/*.php, bench/baseline/*.php). No dependency on either API.
 *
 * Scripts report to the harness with lines on stdout:
 *   BOOT pid=<pid> t=<hrtime ns>          a worker entered boot()
 *   RESULT key=value key=value ...        measurements
 *   RESULT done=1                         the script has nothing more to say
 */

declare(strict_types=1);

namespace Bench;

/** One write(2) per line, so lines from many processes never interleave. */
function out(string $line): void
{
    file_put_contents('php://stdout', $line . "\n");
}

function result(array $kv): void
{
    $parts = [];
    foreach ($kv as $k => $v) {
        $parts[] = $k . '=' . (is_float($v) ? sprintf('%.6g', $v) : (string) $v);
    }
    out('RESULT ' . implode(' ', $parts));
}

function boot_line(): void
{
    out('BOOT pid=' . getmypid() . ' t=' . hrtime(true));
}

function env_int(string $name, int $default): int
{
    $v = getenv($name);
    return $v === false || $v === '' ? $default : (int) $v;
}

function env_float(string $name, float $default): float
{
    $v = getenv($name);
    return $v === false || $v === '' ? $default : (float) $v;
}

/** Nearest-rank percentile of a sorted list. */
function percentile(array $sorted, float $p): float
{
    $n = count($sorted);
    if ($n === 0) {
        return 0.0;
    }
    $i = (int) ceil($p / 100 * $n) - 1;
    return (float) $sorted[max(0, min($n - 1, $i))];
}

/**
 * Summary of one-way latencies given in nanoseconds, as microseconds.
 *
 * @param list<int> $ns
 */
function latency_summary(array $ns): array
{
    sort($ns);
    return [
        'p50_us' => percentile($ns, 50) / 1000,
        'p99_us' => percentile($ns, 99) / 1000,
        'max_us' => percentile($ns, 100) / 1000,
    ];
}
