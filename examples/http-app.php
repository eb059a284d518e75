<?php
/**
 * A small JSON API on Psc\Http\Server: routing on the path, JSON in and out,
 * and a counter shared by every worker process through commands.
 *
 *   ripple examples/http-app.php          # HTTP_LISTEN (127.0.0.1:8080), HTTP_WORKERS (2)
 *   curl http://127.0.0.1:8080/
 *   curl http://127.0.0.1:8080/hello?name=ripple
 *   curl -X POST http://127.0.0.1:8080/counter -d '{"by": 5}'
 *   curl http://127.0.0.1:8080/counter     # the same value from whichever process answers
 *
 * The counter lives in each process's memory. An increment is broadcast with
 * Worker::commandToAll() (the sender included), so every process applies it:
 * the value is the same everywhere once the command has arrived (a few ms).
 * A process that starts (after a crash or on reload) asks the others for the
 * value they hold and takes the highest answer.
 */

use Psc\Http\Request;
use Psc\Http\Response;
use Psc\Http\Server;
use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;

final class HttpApp extends Worker
{
    private Server $server;
    private int $counter = 0;
    private int $served = 0;

    public function __construct(private readonly string $address, private readonly int $count) {}

    public function getName(): string { return 'http-app'; }

    public function getCount(): int { return $this->count; }

    public function register(Manager $manager): void
    {
        $this->server = new Server("http://{$this->address}", ['max_body_size' => '64K']);
        fwrite(STDERR, "http-app: listening on {$this->server->getAddress()}\n");
    }

    public function boot(): void
    {
        $this->server->onRequest(function (Request $request, Response $response): void {
            $this->served++;
            [$status, $payload, $headers] = $this->route($request);
            $response->setStatus($status);
            foreach ($headers as $name => $value) {
                $response->setHeader($name, $value);
            }
            $response->setHeader('Content-Type', 'application/json');
            $response->end(json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT) . "\n");
        });
        $this->server->listen();
        // Catch up with the processes already running (none on a cold start).
        Worker::commandToAll(Command::make('counter.ask'));
    }

    /** @return array{int, array, array<string, string>} status, JSON payload, extra headers */
    private function route(Request $request): array
    {
        $method = $request->getMethod();
        switch ($request->getPath()) {
            case '/':
                return [200, ['routes' => [
                    'GET /' => 'this list',
                    'GET /hello?name=NAME' => 'a greeting',
                    'GET /counter' => 'the shared counter',
                    'POST /counter {"by": N}' => 'adds N (default 1) on every process',
                    'GET /process' => 'which process answered, and how many requests it served',
                ]], []];
            case '/hello':
                $name = $request->getQuery()['name'] ?? 'world';
                return [200, ['hello' => is_string($name) ? $name : 'world'], []];
            case '/counter':
                if ($method === 'GET' || $method === 'HEAD') {
                    return [200, ['counter' => $this->counter, 'pid' => getmypid()], []];
                }
                if ($method !== 'POST') {
                    return [405, ['error' => 'use GET or POST'], ['Allow' => 'GET, HEAD, POST']];
                }
                $body = $request->getBody();
                $input = $body === '' ? [] : json_decode($body, true);
                if (!is_array($input) || !is_int($input['by'] ?? 1)) {
                    return [400, ['error' => 'expected a JSON object like {"by": 1}'], []];
                }
                $by = $input['by'] ?? 1;
                Worker::commandToAll(Command::make('counter.add', ['by' => $by]));
                return [202, ['added' => $by, 'request' => Worker::syncId(), 'expected' => $this->counter + $by], []];
            case '/process':
                return [200, ['pid' => getmypid(), 'served' => $this->served], []];
        }
        return [404, ['error' => 'no route for ' . $request->getPath()], []];
    }

    public function onCommand(Command $workerCommand): void
    {
        switch ($workerCommand->name) {
            case 'counter.add':
                $this->counter += (int) $workerCommand->arguments['by'];
                break;
            case 'counter.ask':
                if ($this->counter > 0) {
                    Worker::commandToAll(Command::make('counter.value', ['value' => $this->counter]));
                }
                break;
            case 'counter.value':
                $this->counter = max($this->counter, (int) $workerCommand->arguments['value']);
                break;
        }
    }

    /** The server stops accepting and drains by itself. */
    public function onReload(): void {}
}

$manager = new Manager();
$manager->addWorker(new HttpApp(getenv('HTTP_LISTEN') ?: '127.0.0.1:8080', (int) (getenv('HTTP_WORKERS') ?: 2)));
$manager->run();
