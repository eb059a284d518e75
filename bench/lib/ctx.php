<?php
/** Run-wide settings and small utilities of the harness. */

declare(strict_types=1);

namespace Bench;

final class Skip extends \RuntimeException
{
}

final class Ctx
{
    public string $root;          // repository root
    public string $tmp;           // scratch dir for configs, sockets, logs
    public string $ripple;        // path of the ripple binary
    public int $rounds = 3;
    public float $duration = 5.0; // seconds per measured wrk run
    public float $warmup = 1.0;   // seconds of wrk before each measured run
    /** @var list<int> */
    public array $conns = [64, 256];
    public string $only = 'all';  // all | http | ipc
    /** @var list<string>|null IPC tests to run, null for all */
    public ?array $ipcTests = null;
    public ?string $doc = null;   // markdown report path, null for none
    public string $json;          // results file
    public bool $isRoot;
    public int $nextPort = 18080;
    public float $t0;

    public function __construct()
    {
        $this->isRoot = posix_geteuid() === 0;
        $this->t0 = microtime(true);
    }

    public function log(string $msg): void
    {
        fprintf(STDERR, "[%5.1fs] %s\n", microtime(true) - $this->t0, $msg);
    }

    /** A free TCP port on 127.0.0.1. */
    public function port(): int
    {
        for ($p = $this->nextPort; $p < 65000; $p++) {
            $s = @stream_socket_server("tcp://127.0.0.1:$p", $errno, $errstr);
            if ($s !== false) {
                fclose($s);
                $this->nextPort = $p + 1;
                return $p;
            }
        }
        throw new Skip('no free port');
    }

    public function dir(string $name): string
    {
        $d = $this->tmp . '/' . $name;
        if (!is_dir($d)) {
            mkdir($d, 0755, true);
        }
        return $d;
    }

    /** Runs a short command; returns [exit code, stdout+stderr]. */
    public static function sh(string $cmd): array
    {
        exec($cmd . ' 2>&1', $out, $rc);
        return [$rc, implode("\n", $out)];
    }

    public static function which(string $bin): ?string
    {
        [$rc, $out] = self::sh('command -v ' . escapeshellarg($bin));
        return $rc === 0 && $out !== '' ? trim($out) : null;
    }

    public function rippleAvailable(): ?string
    {
        if (!is_file($this->ripple) || !is_executable($this->ripple)) {
            return 'build/ripple is missing (make build failed or was not run)';
        }
        return null;
    }
}

function median(array $xs): ?float
{
    $xs = array_values(array_filter($xs, fn ($x) => $x !== null));
    if ($xs === []) {
        return null;
    }
    sort($xs);
    $n = count($xs);
    return $n % 2 ? (float) $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

/** Parses "KEY k=v k=v" into ['k' => v, ...] (numbers as floats). */
function kv(string $line): array
{
    $r = [];
    foreach (preg_split('/\s+/', trim($line)) as $tok) {
        if (str_contains($tok, '=')) {
            [$k, $v] = explode('=', $tok, 2);
            $r[$k] = is_numeric($v) ? (float) $v : $v;
        }
    }
    return $r;
}
