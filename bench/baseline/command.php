<?php
/**
 * Baseline for bench/ripple/command.php: the same two phases, with the parent
 * unserializing every envelope to route it to the sink.
 * Run: php bench/baseline/command.php
 */

declare(strict_types=1);

require __DIR__ . '/lib.php';
require __DIR__ . '/../lib/common.php';

use Bench\Baseline\Command;
use Bench\Baseline\Manager;
use Bench\Baseline\Worker;

final class Sink extends Worker
{
    private bool $ack = false;
    private int $received = 0;
    private int $firstSent = 0;
    private int $lastReceived = 0;
    /** @var list<int> */
    private array $latencies = [];

    public function getName(): string
    {
        return 'sink';
    }

    public function getCount(): int
    {
        return 1;
    }

    public function boot(): void
    {
        \Bench\boot_line();
    }

    public function onCommand(Command $command): void
    {
        if ($command->name === 'x') {
            $now = hrtime(true);
            $sent = $command->arguments[1];
            if ($this->received++ === 0) {
                $this->firstSent = $sent;
            }
            $this->lastReceived = $now;
            if ($this->ack || ($this->received & 15) === 0) { // under load: every 16th
                $this->latencies[] = $now - $sent;
            }
            if ($this->ack) {
                $this->commandToWorker(new Command('ack'), 'source');
            }
            return;
        }
        switch ($command->name) {
            case 'ping':
                $this->commandToWorker(new Command('pong'), 'source');
                break;
            case 'mode':
                $this->ack = $command->arguments[0] === 'ack';
                $this->received = 0;
                $this->latencies = [];
                break;
            case 'end':
                [$phase, $sent] = $command->arguments;
                $seconds = max(1, $this->lastReceived - $this->firstSent) / 1e9;
                \Bench\result([
                    'phase' => $phase,
                    'sent' => $sent,
                    'received' => $this->received,
                    'lost' => $sent - $this->received,
                    'per_sec' => $this->received / $seconds,
                ] + \Bench\latency_summary($this->latencies));
                $this->latencies = [];
                $this->commandToWorker(new Command('ended', [$phase]), 'source');
                break;
        }
    }
}

final class Source extends Worker
{
    private ?int $pinger = null;
    private bool $started = false;
    private int $sent = 0;
    private int $deadline = 0;
    private string $payload;

    public function getName(): string
    {
        return 'source';
    }

    public function getCount(): int
    {
        return 1;
    }

    public function boot(): void
    {
        \Bench\boot_line();
        $this->payload = str_repeat('a', 100);
        $this->pinger = $this->node->repeat(0.01, function (): void {
            $this->commandToWorker(new Command('ping'), 'sink');
        });
    }

    public function onCommand(Command $command): void
    {
        switch ($command->name) {
            case 'ack':
                if ($this->sent < \Bench\env_int('BENCH_LAT_N', 20000) && hrtime(true) < $this->deadline) {
                    $this->send();
                } else {
                    $this->commandToWorker(new Command('end', ['latency', $this->sent]), 'sink');
                }
                break;
            case 'pong':
                if ($this->started) {
                    break;
                }
                $this->started = true;
                $this->node->cancel($this->pinger);
                $this->sent = 0;
                $this->deadline = hrtime(true) + (int) (\Bench\env_float('BENCH_LAT_SECONDS', 2.0) * 1e9);
                $this->commandToWorker(new Command('mode', ['ack']), 'sink');
                $this->send();
                break;
            case 'ended':
                if ($command->arguments[0] === 'latency') {
                    $this->sent = 0;
                    $this->deadline = hrtime(true) + (int) (\Bench\env_float('BENCH_TP_SECONDS', 2.0) * 1e9);
                    $this->commandToWorker(new Command('mode', ['count']), 'sink');
                    $this->node->defer($this->burst(...));
                } else {
                    \Bench\result(['done' => 1]);
                }
                break;
        }
    }

    private function send(): void
    {
        $this->commandToWorker(new Command('x', [$this->payload, hrtime(true)]), 'sink');
        $this->sent++;
    }

    private function burst(): void
    {
        $batch = \Bench\env_int('BENCH_BATCH', 1000);
        for ($i = 0; $i < $batch; $i++) {
            $this->commandToWorker(new Command('x', [$this->payload, hrtime(true)]), 'sink');
        }
        $this->sent += $batch;
        if (hrtime(true) < $this->deadline && $this->sent < \Bench\env_int('BENCH_TP_MAX', 2000000)) {
            $this->node->defer($this->burst(...));
        } else {
            $this->commandToWorker(new Command('end', ['throughput', $this->sent]), 'sink');
        }
    }
}

$manager = new Manager();
$manager->addWorker(new Sink());
$manager->addWorker(new Source());
$manager->run();
