<?php
declare(strict_types=1);

namespace Ripple\Tests\Unit;

use Psc\Event\Loop;
use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;
use Psc\Worker\WorkerException;
use Ripple\Tests\RippleProcess;
use Ripple\Tests\RippleTestCase;

final class HardeningNamedWorker extends Worker
{
    public function __construct(private string $name) {}
    public function getName(): string { return $this->name; }
    public function getCount(): int { return 1; }
    public function register(Manager $manager): void {}
    public function boot(): void {}
    public function onCommand(Command $workerCommand): void {}
    public function onReload(): void {}
}

/**
 * Hardening: service names, regular files in the loop, Loop::stop() in boot(),
 * Manager::reload() of a stopped service. Fixtures: tests-php/fixtures/hard_*.php.
 */
final class HardeningTest extends RippleTestCase
{
    /** @var list<string> */
    private array $added = [];

    protected function tearDown(): void
    {
        foreach ($this->added as $name) {
            try {
                Manager::removeWorker($name);
            } catch (WorkerException) {
            }
        }
        $this->added = [];
        parent::tearDown();
    }

    public static function badNameProvider(): array
    {
        return [
            'empty' => [''],
            'newline' => ["api\nx"],
            'trailing newline' => ["api\n"],
            'space' => ['http api'],
            'leading space' => [' api'],
            'nul' => ["api\0x"],
            'tab' => ["a\tb"],
            'carriage return' => ["a\rb"],
            'escape' => ["a\x1bb"],
            'del' => ["a\x7fb"],
            'utf-8' => ['café'],
            'latin-1 byte' => ["caf\xe9"],
            '256 bytes' => [str_repeat('a', 256)],
        ];
    }

    /** @dataProvider badNameProvider */
    public function testAddWorkerRefusesANameThatIsNotPrintableAscii(string $name): void
    {
        try {
            Manager::addWorker(new HardeningNamedWorker($name));
            $this->added[] = $name;
            self::fail('name ' . json_encode($name) . ' accepted');
        } catch (WorkerException $e) {
            self::assertStringContainsString('printable ASCII', $e->getMessage());
            self::assertStringContainsString('HardeningNamedWorker', $e->getMessage());
            // The message itself stays one clean line (the bad name is not echoed into it).
            self::assertStringNotContainsString("\n", $e->getMessage());
            self::assertStringNotContainsString("\0", $e->getMessage());
        }
    }

    public static function goodNameProvider(): array
    {
        return [
            'dash' => ['http-api'],
            'punctuation' => ['a.b_c:d/e~!'],
            'one char' => ['x'],
            '255 bytes' => [str_repeat('b', 255)],
        ];
    }

    /** @dataProvider goodNameProvider */
    public function testAddWorkerAcceptsPrintableAsciiNames(string $name): void
    {
        Manager::addWorker(new HardeningNamedWorker($name));
        $this->added[] = $name;
        Manager::removeWorker($name);
        $this->added = [];
        $this->addToAssertionCount(1);
    }

    public function testRegularFilesCannotBeWatched(): void
    {
        foreach (['onReadable' => 'r', 'onWritable' => 'a'] as $method => $mode) {
            $file = $method === 'onReadable' ? __FILE__ : $this->stateDir() . '/w.txt';
            $stream = fopen($file, $mode);
            try {
                Loop::$method($stream, static fn () => 0);
                self::fail("Loop::$method() accepted a regular file");
            } catch (\ValueError $e) {
                self::assertStringContainsString('regular files cannot be watched', $e->getMessage());
                self::assertStringContainsString("Loop::$method()", $e->getMessage());
            } finally {
                fclose($stream);
            }
        }
    }

    public function testSocketsCanStillBeWatched(): void
    {
        [$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
        $id = Loop::onReadable($a, static fn () => 0);
        self::assertIsString($id);
        Loop::cancel($id);
        fclose($a);
        fclose($b);
    }

    public function testLoopStopInBootEndsTheProcessAfterBootAndItIsRestarted(): void
    {
        $p = $this->start('hard_stop_in_boot.php', ['HARD_DIR' => $this->stateDir()]);
        self::assertTrue($p->waitFor('BOOT attempt=2 ', 15.0), $p->output());
        self::assertSame(1, preg_match('/BOOT attempt=1 pid=(\d+)/', $p->out(), $m), $p->output());
        $first = $m[1];
        // The first process returned from boot(), then ended with status 0 without running its loop.
        self::assertMatchesRegularExpression("/\\[manager\\] sb#0 pid $first ready after/", $p->err());
        self::assertMatchesRegularExpression("/\\[manager\\] sb#0 pid $first exited with exit status 0 /", $p->err());
        self::assertStringNotContainsString('LOOP-RAN 1', $p->out(), $p->output());
        // The restarted one runs its loop as usual.
        self::assertTrue($p->waitFor('LOOP-RAN 2', 10.0), $p->output());
        self::assertSame(1, substr_count($p->out(), 'BOOT attempt=2 '), $p->output());
        self::assertSame(0, $p->stop(), $p->output());
    }

    public function testManagerReloadOfAStoppedServiceThrows(): void
    {
        $p = $this->start('hard_reload_stopped.php', ['HARD_DIR' => $this->stateDir()]);
        self::assertTrue($p->waitFor('RESULT done', 15.0), $p->output());
        $results = [];
        foreach ($p->results() as $r) {
            [$label, $outcome] = explode(' ', $r, 2) + [1 => ''];
            $results[$label] = $outcome;
        }
        foreach (['stopping', 'stopped'] as $label) {
            self::assertArrayHasKey($label, $results, $p->output());
            self::assertStringStartsWith('Psc\Worker\WorkerException: ', $results[$label], $p->output());
            self::assertStringContainsString("'beta'", $results[$label]);
        }
        self::assertStringStartsWith('Psc\Worker\WorkerException: ', $results['unknown'] ?? '', $p->output());
        self::assertSame('no exception', $results['running'] ?? null, $p->output());
        // beta was not started again; alpha was reloaded.
        self::assertSame(1, substr_count($p->out(), 'BOOTED beta '), $p->output());
        self::assertTrue($p->waitFor('reload of alpha complete', 10.0, 1, true), $p->output());
        self::assertStringNotContainsString('reloading beta', $p->err());
        self::assertSame(0, $p->stop(), $p->output());
    }
}
