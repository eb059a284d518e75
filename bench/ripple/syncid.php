<?php
/**
 * syncId() throughput in one worker process.
 * Run: build/ripple bench/ripple/syncid.php   (env BENCH_SECONDS, default 1)
 * Prints: RESULT syncid_per_sec=... calls=... unique=1, then RESULT done=1.
 */

declare(strict_types=1);

require __DIR__ . '/../lib/common.php';

use Psc\Event\Loop;
use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;

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

    public function register(Manager $manager): void
    {
    }

    public function boot(): void
    {
        \Bench\boot_line();
        Loop::defer(function (string $id): void {
            $this->measure(\Bench\env_float('BENCH_SECONDS', 1.0));
        });
    }

    private function measure(float $seconds): void
    {
        for ($i = 0; $i < 100000; $i++) { // warm-up
            Worker::syncId();
        }
        $first = Worker::syncId();
        $calls = 0;
        $t0 = hrtime(true);
        $deadline = $t0 + (int) ($seconds * 1e9);
        do {
            for ($i = 0; $i < 100000; $i++) {
                Worker::syncId();
            }
            $calls += 100000;
            $t1 = hrtime(true);
        } while ($t1 < $deadline);
        $last = Worker::syncId();
        // Ids are group-unique and this is the only caller: strictly increasing, no gaps.
        $unique = ($last - $first) === $calls + 1 ? 1 : 0;
        \Bench\result([
            'syncid_per_sec' => $calls / (($t1 - $t0) / 1e9),
            'calls' => $calls,
            'unique' => $unique,
        ]);
        \Bench\result(['done' => 1]);
    }

    public function onCommand(Command $workerCommand): void
    {
    }

    public function onReload(): void
    {
    }
}

$manager = new Manager();
$manager->addWorker(new Ids());
$manager->run();
