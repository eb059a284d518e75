<?php
/**
 * The plain-PHP baseline: a process manager written the way PHP libraries do
 * it today (pcntl_fork + stream_socket_pair + serialize, a stream_select loop
 * in the parent). Its scripts mirror bench/ripple/*.php one for one, so the
 * harness runs both the same way and compares like with like.
 *
 * Wire format: 4-byte big-endian length + serialize()d PHP value.
 * The parent unserializes every envelope to route it (as such libraries do),
 * holds the id counter, and restarts children that die.
 */

declare(strict_types=1);

namespace Bench\Baseline;

final class Command
{
    public function __construct(
        public readonly string $name,
        public readonly array $arguments = [],
    ) {
    }
}

/** One end of a parent <-> child socketpair, with buffered framed I/O. */
final class Channel
{
    private string $in = '';
    private string $out = '';

    /** @param resource $sock */
    public function __construct(public $sock)
    {
        stream_set_blocking($sock, false);
        stream_set_read_buffer($sock, 0);
        stream_set_write_buffer($sock, 0);
    }

    public function send(mixed $message): void
    {
        $s = serialize($message);
        $this->out .= pack('N', strlen($s)) . $s;
        $this->flush();
    }

    public function pending(): bool
    {
        return $this->out !== '';
    }

    /** Writes what the socket takes now; false when the peer is gone. */
    public function flush(): bool
    {
        while ($this->out !== '') {
            $n = @fwrite($this->sock, $this->out);
            if ($n === false) {
                return false;
            }
            if ($n === 0) {
                return true;
            }
            $this->out = (string) substr($this->out, $n);
        }
        return true;
    }

    /** Blocks until everything queued is written. */
    public function drain(): bool
    {
        while ($this->out !== '') {
            $r = null;
            $w = [$this->sock];
            $e = null;
            if (@stream_select($r, $w, $e, 1) === false) {
                continue;
            }
            if (!$this->flush()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads what is available and returns the complete messages;
     * null when the peer closed.
     *
     * @return list<mixed>|null
     */
    public function receive(): ?array
    {
        $chunk = @fread($this->sock, 262144);
        if ($chunk === '' || $chunk === false) {
            if (feof($this->sock)) {
                return null;
            }
            return [];
        }
        $this->in .= $chunk;
        $messages = [];
        $off = 0;
        $len = strlen($this->in);
        while ($len - $off >= 4) {
            $size = unpack('N', $this->in, $off)[1];
            if ($len - $off - 4 < $size) {
                break;
            }
            $messages[] = unserialize(substr($this->in, $off + 4, $size));
            $off += 4 + $size;
        }
        $this->in = (string) substr($this->in, $off);
        return $messages;
    }

    /** Blocks until one message arrives (request/response use). */
    public function receiveOne(): mixed
    {
        while (true) {
            $r = [$this->sock];
            $w = $e = null;
            if (@stream_select($r, $w, $e, 5) === false) {
                continue;
            }
            $got = $this->receive();
            if ($got === null) {
                exit(0);
            }
            if ($got !== []) {
                return $got[0];
            }
        }
    }
}

/** A service: the plain-PHP counterpart of Psc\Worker\Worker. */
abstract class Worker
{
    public Node $node;

    abstract public function getName(): string;

    abstract public function getCount(): int;

    abstract public function boot(): void;

    abstract public function onCommand(Command $command): void;

    public function syncId(): int
    {
        return $this->node->syncId();
    }

    public function commandToWorker(Command $command, string $name): void
    {
        $this->node->channel->send(['to', $name, $command]);
    }
}

/** The child's side: a small select loop with deferred callbacks. */
final class Node
{
    /** @var list<callable> */
    private array $deferred = [];
    /** @var array<int, array{float, float, callable}> */
    private array $timers = [];
    private int $nextTimer = 0;

    public function __construct(public Channel $channel, private Worker $worker)
    {
    }

    public function syncId(): int
    {
        $this->channel->send(['id']);
        $this->channel->drain();
        return $this->channel->receiveOne();
    }

    public function defer(callable $fn): void
    {
        $this->deferred[] = $fn;
    }

    public function repeat(float $interval, callable $fn): int
    {
        $id = $this->nextTimer++;
        $this->timers[$id] = [microtime(true) + $interval, $interval, $fn];
        return $id;
    }

    public function cancel(int $id): void
    {
        unset($this->timers[$id]);
    }

    public function run(): never
    {
        while (true) {
            $timeout = null;
            if ($this->deferred !== []) {
                $timeout = 0;
            } elseif ($this->timers !== []) {
                $next = min(array_map(fn ($t) => $t[0], $this->timers));
                $timeout = max(0, (int) (($next - microtime(true)) * 1e6));
            }
            $r = [$this->channel->sock];
            $w = $this->channel->pending() ? [$this->channel->sock] : null;
            $e = null;
            $n = $timeout === null
                ? @stream_select($r, $w, $e, null)
                : @stream_select($r, $w, $e, intdiv($timeout, 1000000), $timeout % 1000000);
            if ($n > 0) {
                if ($w) {
                    $this->channel->flush();
                }
                if ($r) {
                    $messages = $this->channel->receive();
                    if ($messages === null) {
                        exit(0);
                    }
                    foreach ($messages as $m) {
                        $this->worker->onCommand($m);
                    }
                }
            }
            $now = microtime(true);
            foreach ($this->timers as $id => [$at, $interval, $fn]) {
                if ($at <= $now && isset($this->timers[$id])) {
                    $this->timers[$id][0] = $now + $interval;
                    $fn();
                }
            }
            $batch = $this->deferred;
            $this->deferred = [];
            foreach ($batch as $fn) {
                $fn();
            }
        }
    }
}

/** The parent: forks, routes, counts ids, restarts, stops on SIGTERM. */
final class Manager
{
    /** @var array<string, Worker> */
    private array $services = [];
    /** @var array<int, array{string, Channel}> pid => [service, channel] */
    private array $children = [];
    private int $counter = 0;
    private bool $stopping = false;

    public function addWorker(Worker $worker): void
    {
        $this->services[$worker->getName()] = $worker;
    }

    public function run(): void
    {
        pcntl_async_signals(true);
        pcntl_signal(SIGTERM, function () {
            $this->stopping = true;
        });
        pcntl_signal(SIGINT, function () {
            $this->stopping = true;
        });
        pcntl_signal(SIGCHLD, function () {
        });
        foreach ($this->services as $name => $worker) {
            for ($i = 0; $i < $worker->getCount(); $i++) {
                $this->spawn($name);
            }
        }
        while (!$this->stopping) {
            $this->reap();
            $r = $w = [];
            foreach ($this->children as [, $ch]) {
                $r[] = $ch->sock;
                if ($ch->pending()) {
                    $w[] = $ch->sock;
                }
            }
            $e = null;
            if ($w === []) {
                $w = null;
            }
            $n = @stream_select($r, $w, $e, 1);
            if (!$n) {
                continue;
            }
            foreach ($w ?? [] as $sock) {
                $this->channelOf($sock)?->flush();
            }
            foreach ($r as $sock) {
                $ch = $this->channelOf($sock);
                if ($ch === null) {
                    continue;
                }
                $messages = $ch->receive();
                if ($messages === null) {
                    continue; // the child died: reap() restarts it
                }
                foreach ($messages as $m) {
                    $this->route($ch, $m);
                }
            }
        }
        foreach (array_keys($this->children) as $pid) {
            posix_kill($pid, SIGTERM);
        }
        while (pcntl_waitpid(-1, $status) > 0) {
        }
        exit(0);
    }

    private function route(Channel $from, array $m): void
    {
        switch ($m[0]) {
            case 'id':
                $from->send(++$this->counter);
                break;
            case 'to':
                foreach ($this->children as [$service, $ch]) {
                    if ($service === $m[1]) {
                        $ch->send($m[2]);
                    }
                }
                break;
        }
    }

    private function channelOf($sock): ?Channel
    {
        foreach ($this->children as [, $ch]) {
            if ($ch->sock === $sock) {
                return $ch;
            }
        }
        return null;
    }

    private function reap(): void
    {
        while (($pid = pcntl_waitpid(-1, $status, WNOHANG)) > 0) {
            if (!isset($this->children[$pid])) {
                continue;
            }
            [$service] = $this->children[$pid];
            fclose($this->children[$pid][1]->sock);
            unset($this->children[$pid]);
            if (!$this->stopping) {
                $this->spawn($service);
            }
        }
    }

    private function spawn(string $name): void
    {
        [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
        $pid = pcntl_fork();
        if ($pid < 0) {
            fwrite(STDERR, "baseline: fork failed\n");
            return;
        }
        if ($pid === 0) {
            fclose($parentEnd);
            foreach ($this->children as [, $ch]) {
                fclose($ch->sock);
            }
            pcntl_signal(SIGTERM, SIG_DFL);
            pcntl_signal(SIGINT, SIG_DFL);
            pcntl_signal(SIGCHLD, SIG_DFL);
            mt_srand();
            $worker = $this->services[$name];
            $worker->node = new Node(new Channel($childEnd), $worker);
            $worker->boot();
            $worker->node->run();
        }
        fclose($childEnd);
        $this->children[$pid] = [$name, new Channel($parentEnd)];
    }
}
