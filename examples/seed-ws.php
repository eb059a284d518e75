<?php
/**
 * The example from the seed document ("Service Process - Worker"), filled in
 * plainly: a service named "ws" with 2 processes that greet each other
 * through commands and hand out ids with syncId().
 *
 *   ripple examples/seed-ws.php          # Ctrl-C stops it
 */

use Psc\Event\Loop;
use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;

class Ws extends \Psc\Worker\Worker
{
    private ?string $timer = null;

    public function getName(): string
    {
        // The service name
        return 'ws';
    }

    public function getCount(): int
    {
        // The number of working processes
        return 2;
    }

    public function register(Manager $manager): void
    {
        // Initialization in the main process, before the fork: open listening ports here.
        echo "ws: registered in the main process ", getmypid(), "\n";
    }

    public function boot(): void
    {
        // Service startup, in each worker process.
        echo "ws#", Worker::getIndex(), ": booted in process ", getmypid(), "\n";
        $this->timer = Loop::repeat(5, function (): void {
            Worker::commandToWorker(Command::make('ping', ['from' => getmypid(), 'id' => Worker::syncId()]), 'ws');
        });
    }

    public function onCommand(Command $workerCommand): void
    {
        // Communication between services.
        echo "ws#", Worker::getIndex(), ": ", $workerCommand->name, " ", json_encode($workerCommand->arguments), "\n";
    }

    public function onReload(): void
    {
        // Release resources so the process can close; a fresh one replaces it.
        if ($this->timer !== null) {
            Loop::cancel($this->timer);
            $this->timer = null;
        }
    }
}

$manager = new \Psc\Worker\Manager();
$manager->addWorker(new Ws());
$manager->run();
