<?php
/**
 * BENCH_COUNT idle worker processes (default 1) that print a BOOT line with
 * hrtime(true) on entering boot() and then do nothing. The harness uses it for
 *  - respawn: SIGKILL a worker, time until its replacement's BOOT line;
 *  - spawn:   BENCH_COUNT=64, time from starting ripple to the 64th BOOT line;
 *  - memory:  PSS/USS of the whole process tree with 1 vs N idle workers.
 * Run: BENCH_COUNT=4 build/ripple bench/ripple/idle.php
 */

declare(strict_types=1);

require __DIR__ . '/../lib/common.php';

use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;

final class Idle extends Worker
{
    public function getName(): string
    {
        return 'idle';
    }

    public function getCount(): int
    {
        return \Bench\env_int('BENCH_COUNT', 1);
    }

    public function register(Manager $manager): void
    {
    }

    public function boot(): void
    {
        \Bench\boot_line();
    }

    public function onCommand(Command $workerCommand): void
    {
    }

    public function onReload(): void
    {
    }
}

$manager = new Manager();
$manager->addWorker(new Idle());
$manager->run();
