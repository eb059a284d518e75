<?php
/**
 * The smallest HTTP service: every request gets "hello\n".
 *
 *   ripple examples/http-hello.php         # HTTP_LISTEN (127.0.0.1:8080), HTTP_WORKERS (2)
 *   curl http://127.0.0.1:8080/
 *   wrk -t1 -c64 -d5s http://127.0.0.1:8080/
 */

use Psc\Http\Request;
use Psc\Http\Response;
use Psc\Http\Server;
use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;

final class HelloHttp extends Worker
{
    private Server $server;

    public function __construct(private readonly string $address, private readonly int $count) {}

    public function getName(): string { return 'http-hello'; }

    public function getCount(): int { return $this->count; }

    /** Main process: the listening socket is opened here and inherited by every worker. */
    public function register(Manager $manager): void
    {
        $this->server = new Server("http://{$this->address}");
        fwrite(STDERR, "http-hello: listening on {$this->server->getAddress()}\n");
    }

    public function boot(): void
    {
        $this->server->onRequest(function (Request $request, Response $response): void {
            $response->setHeader('Content-Type', 'text/plain');
            $response->end("hello\n");
        });
        $this->server->listen();
    }

    public function onCommand(Command $workerCommand): void {}

    /** The server drains by itself on reload and stop. */
    public function onReload(): void {}
}

$manager = new Manager();
$manager->addWorker(new HelloHttp(getenv('HTTP_LISTEN') ?: '127.0.0.1:8080', (int) (getenv('HTTP_WORKERS') ?: 2)));
$manager->run();
