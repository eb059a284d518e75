<?php
/**
 * Worker -> worker commands through the manager: a 'source' service sends
 * Command('x', [str_repeat('a', 100), hrtime(true)]) to a 'sink' service,
 * which counts them and takes the one-way latency from the embedded hrtime
 * (CLOCK_MONOTONIC, valid across processes on one machine).
 *
 * Two phases:
 *  latency    one command in flight: the sink answers each with 'ack', the
 *             source sends the next on the ack (unloaded one-way latency);
 *  throughput the source sends as fast as it can, BENCH_BATCH commands per
 *             loop tick, for BENCH_TP_SECONDS (or BENCH_TP_MAX commands); the
 *             sink reports received/s (first send -> last receipt) and losses.
 * A phase ends with Command('end', [phase, sent]); commands from one sender to
 * one receiver arrive in order, so the sink's count is final when 'end' arrives.
 *
 * Run: build/ripple bench/ripple/command.php
 * Prints: RESULT phase=latency ..., RESULT phase=throughput ..., RESULT done=1.
 */

declare(strict_types=1);

require __DIR__ . '/../lib/common.php';

use Psc\Event\Loop;
use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;

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

    public function register(Manager $manager): void
    {
    }

    public function boot(): void
    {
        \Bench\boot_line();
    }

    public function onCommand(Command $workerCommand): void
    {
        if ($workerCommand->name === 'x') {
            $now = hrtime(true);
            $sent = $workerCommand->arguments[1];
            if ($this->received++ === 0) {
                $this->firstSent = $sent;
            }
            $this->lastReceived = $now;
            if ($this->ack || ($this->received & 15) === 0) { // under load: every 16th
                $this->latencies[] = $now - $sent;
            }
            if ($this->ack) {
                Worker::commandToWorker(new Command('ack'), 'source');
            }
            return;
        }
        switch ($workerCommand->name) {
            case 'ping':
                Worker::commandToWorker(new Command('pong'), 'source');
                break;
            case 'mode':
                $this->ack = $workerCommand->arguments[0] === 'ack';
                $this->received = 0;
                $this->latencies = [];
                break;
            case 'end':
                [$phase, $sent] = $workerCommand->arguments;
                $seconds = max(1, $this->lastReceived - $this->firstSent) / 1e9;
                \Bench\result([
                    'phase' => $phase,
                    'sent' => $sent,
                    'received' => $this->received,
                    'lost' => $sent - $this->received,
                    'per_sec' => $this->received / $seconds,
                ] + \Bench\latency_summary($this->latencies));
                $this->latencies = [];
                Worker::commandToWorker(new Command('ended', [$phase]), 'source');
                break;
        }
    }

    public function onReload(): void
    {
    }
}

final class Source extends Worker
{
    private ?string $pinger = null;
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

    public function register(Manager $manager): void
    {
    }

    public function boot(): void
    {
        \Bench\boot_line();
        $this->payload = str_repeat('a', 100);
        // The sink may boot after us: ping until it answers.
        $this->pinger = Loop::repeat(0.01, function (string $id): void {
            Worker::commandToWorker(new Command('ping'), 'sink');
        });
    }

    public function onCommand(Command $workerCommand): void
    {
        switch ($workerCommand->name) {
            case 'ack':
                if ($this->sent < \Bench\env_int('BENCH_LAT_N', 20000) && hrtime(true) < $this->deadline) {
                    $this->send();
                } else {
                    Worker::commandToWorker(new Command('end', ['latency', $this->sent]), 'sink');
                }
                break;
            case 'pong':
                if ($this->started) {
                    break;
                }
                $this->started = true;
                Loop::cancel($this->pinger);
                $this->sent = 0;
                $this->deadline = hrtime(true) + (int) (\Bench\env_float('BENCH_LAT_SECONDS', 2.0) * 1e9);
                Worker::commandToWorker(new Command('mode', ['ack']), 'sink');
                $this->send();
                break;
            case 'ended':
                if ($workerCommand->arguments[0] === 'latency') {
                    $this->sent = 0;
                    $this->deadline = hrtime(true) + (int) (\Bench\env_float('BENCH_TP_SECONDS', 2.0) * 1e9);
                    Worker::commandToWorker(new Command('mode', ['count']), 'sink');
                    Loop::defer($this->burst(...));
                } else {
                    \Bench\result(['done' => 1]);
                }
                break;
        }
    }

    private function send(): void
    {
        Worker::commandToWorker(new Command('x', [$this->payload, hrtime(true)]), 'sink');
        $this->sent++;
    }

    private function burst(string $id): void
    {
        $batch = \Bench\env_int('BENCH_BATCH', 1000);
        for ($i = 0; $i < $batch; $i++) {
            Worker::commandToWorker(new Command('x', [$this->payload, hrtime(true)]), 'sink');
        }
        $this->sent += $batch;
        if (hrtime(true) < $this->deadline && $this->sent < \Bench\env_int('BENCH_TP_MAX', 2000000)) {
            Loop::defer($this->burst(...));
        } else {
            Worker::commandToWorker(new Command('end', ['throughput', $this->sent]), 'sink');
        }
    }

    public function onReload(): void
    {
    }
}

$manager = new Manager();
$manager->addWorker(new Sink());
$manager->addWorker(new Source());
$manager->run();
