<?php
/**
 * Baseline for bench/ripple/idle.php: BENCH_COUNT idle children forked by a
 * plain-PHP parent, each printing a BOOT line; the parent restarts a child
 * that dies. Run: BENCH_COUNT=4 php bench/baseline/idle.php
 */

declare(strict_types=1);

require __DIR__ . '/lib.php';
require __DIR__ . '/../lib/common.php';

use Bench\Baseline\Command;
use Bench\Baseline\Manager;
use Bench\Baseline\Worker;

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

    public function boot(): void
    {
        \Bench\boot_line();
    }

    public function onCommand(Command $command): void
    {
    }
}

$manager = new Manager();
$manager->addWorker(new Idle());
$manager->run();
