<?php
/**
 * Baseline for bench/ripple/syncid.php: ids from a counter held by the
 * parent, one request/response over the socketpair per id.
 * Run: php bench/baseline/syncid.php   (env BENCH_SECONDS, default 1)
 */

declare(strict_types=1);

require __DIR__ . '/lib.php';
require __DIR__ . '/../lib/common.php';

use Bench\Baseline\Command;
use Bench\Baseline\Manager;
use Bench\Baseline\Worker;

final class Ids extends Worker
{
    public function getName(): string
    {
        return 'ids';
    }

    public function getCount(): int
    {
        return 1;
    }

    public function boot(): void
    {
        \Bench\boot_line();
        $this->node->defer(function (): void {
            $this->measure(\Bench\env_float('BENCH_SECONDS', 1.0));
        });
    }

    private function measure(float $seconds): void
    {
        for ($i = 0; $i < 1000; $i++) { // warm-up
            $this->syncId();
        }
        $first = $this->syncId();
        $calls = 0;
        $t0 = hrtime(true);
        $deadline = $t0 + (int) ($seconds * 1e9);
        do {
            for ($i = 0; $i < 100; $i++) {
                $this->syncId();
            }
            $calls += 100;
            $t1 = hrtime(true);
        } while ($t1 < $deadline);
        $last = $this->syncId();
        $unique = ($last - $first) === $calls + 1 ? 1 : 0;
        \Bench\result([
            'syncid_per_sec' => $calls / (($t1 - $t0) / 1e9),
            'calls' => $calls,
            'unique' => $unique,
        ]);
        \Bench\result(['done' => 1]);
    }

    public function onCommand(Command $command): void
    {
    }
}

$manager = new Manager();
$manager->addWorker(new Ids());
$manager->run();
