<?php
/**
 * A TCP line chat: every line a client sends reaches every connected client,
 * on every worker process, prefixed with a group-unique id.
 *
 *   ripple examples/chat.php            # listens on 127.0.0.1:9501 (CHAT_LISTEN overrides)
 *   nc 127.0.0.1 9501                   # in two terminals; type lines
 */

use Psc\Event\Loop;
use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;

final class ChatWorker extends Worker
{
    /** @var resource */
    private $server;
    private ?string $acceptWatcher = null;
    /** @var array<int, array{stream: resource, in: string, out: string, reader: string, writer: ?string}> */
    private array $clients = [];

    public function __construct(private readonly string $address) {}

    public function getName(): string { return 'chat'; }

    public function getCount(): int { return 2; }

    /** Main process, before the fork: the listening socket is shared by both processes. */
    public function register(Manager $manager): void
    {
        $server = @stream_socket_server("tcp://{$this->address}", $errno, $error);
        if ($server === false) {
            throw new RuntimeException("chat: cannot listen on {$this->address}: $error (set CHAT_LISTEN to another address)");
        }
        stream_set_blocking($server, false);
        $this->server = $server;
        fwrite(STDERR, "chat: listening on {$this->address}\n");
    }

    public function boot(): void
    {
        $this->acceptWatcher = Loop::onReadable($this->server, function (): void {
            // Both processes wake up; the one that gets the connection serves it.
            $client = @stream_socket_accept($this->server, 0);
            if ($client === false) {
                return;
            }
            stream_set_blocking($client, false);
            $key = (int) $client;
            $this->clients[$key] = ['stream' => $client, 'in' => '', 'out' => '', 'reader' => '', 'writer' => null];
            $this->clients[$key]['reader'] = Loop::onReadable($client, fn () => $this->read($key));
            $this->send($key, sprintf("welcome: chat#%d pid %d\n", Worker::getIndex(), getmypid()));
        });
    }

    private function read(int $key): void
    {
        $data = fread($this->clients[$key]['stream'], 65536);
        if ($data === '' || $data === false) {
            if (feof($this->clients[$key]['stream'])) {
                $this->drop($key);
            }
            return;
        }
        $buffer = $this->clients[$key]['in'] . $data;
        while (($pos = strpos($buffer, "\n")) !== false) {
            $line = rtrim(substr($buffer, 0, $pos), "\r");
            $buffer = substr($buffer, $pos + 1);
            if ($line !== '') {
                Worker::commandToAll(Command::make('chat', ['id' => Worker::syncId(), 'text' => $line]));
            }
        }
        $this->clients[$key]['in'] = strlen($buffer) > 65536 ? '' : $buffer;
    }

    public function onCommand(Command $workerCommand): void
    {
        if ($workerCommand->name !== 'chat') {
            return;
        }
        $line = sprintf("[%d] %s\n", $workerCommand->arguments['id'], $workerCommand->arguments['text']);
        foreach (array_keys($this->clients) as $key) {
            $this->send($key, $line);
        }
    }

    /** Queues output and writes what the socket takes; the rest waits for writability. */
    private function send(int $key, string $data): void
    {
        $client = &$this->clients[$key];
        if (strlen($client['out']) > 1 << 20) {
            // A client that does not read must not eat the process's memory.
            unset($client);
            $this->drop($key);
            return;
        }
        $client['out'] .= $data;
        $written = @fwrite($client['stream'], $client['out']);
        if ($written === false) {
            $this->drop($key);
            return;
        }
        $client['out'] = (string) substr($client['out'], $written);
        if ($client['out'] !== '' && $client['writer'] === null) {
            $client['writer'] = Loop::onWritable($client['stream'], function () use ($key): void {
                $this->clients[$key]['writer'] = null;
                Loop::cancel(func_get_arg(0));
                $this->send($key, '');
            });
        }
    }

    private function drop(int $key): void
    {
        $client = $this->clients[$key];
        Loop::cancel($client['reader']);
        if ($client['writer'] !== null) {
            Loop::cancel($client['writer']);
        }
        fclose($client['stream']);
        unset($this->clients[$key]);
    }

    /** Stop accepting and say goodbye; the fresh processes take new connections. */
    public function onReload(): void
    {
        if ($this->acceptWatcher !== null) {
            Loop::cancel($this->acceptWatcher);
            $this->acceptWatcher = null;
        }
        foreach (array_keys($this->clients) as $key) {
            @fwrite($this->clients[$key]['stream'], "server: this process is restarting, please reconnect\n");
            $this->drop($key);
        }
    }
}

$manager = new Manager();
$manager->addWorker(new ChatWorker(getenv('CHAT_LISTEN') ?: '127.0.0.1:9501'));
$manager->run();
