<?php
declare(strict_types=1);

namespace Ripple\Tests\Unit;

use Psc\Worker\Command;
use Psc\Worker\Manager;
use Psc\Worker\Worker;
use Psc\Worker\WorkerException;
use Ripple\Tests\RippleTestCase;

final class DefinitionWorker extends Worker
{
    public function __construct(private string $name, private int $count = 1) {}
    public function getName(): string { return $this->name; }
    public function getCount(): int { return $this->count; }
    public function register(Manager $manager): void {}
    public function boot(): void {}
    public function onCommand(Command $workerCommand): void {}
    public function onReload(): void {}
}

/**
 * Bad service definitions and the worker-only API, in this (main) process.
 * Manager::run() is never called with workers added here: it would fork the test runner.
 */
final class DefinitionTest extends RippleTestCase
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

    private function add(Worker $w, string $name): void
    {
        Manager::addWorker($w);
        $this->added[] = $name;
    }

    public function testDuplicateNameThrows(): void
    {
        $this->add(new DefinitionWorker('dup'), 'dup');
        try {
            (new Manager())->addWorker(new DefinitionWorker('dup', 2));
            $this->added[] = 'dup';
            self::fail('no exception for a duplicate name');
        } catch (WorkerException $e) {
            self::assertStringContainsString("'dup'", $e->getMessage());
        }
    }

    public function testSameNameCanBeAddedAgainAfterRemoval(): void
    {
        $this->add(new DefinitionWorker('again'), 'again');
        Manager::removeWorker('again');
        $this->add(new DefinitionWorker('again'), 'again');
        $this->addToAssertionCount(1);
    }

    public static function badCountProvider(): array
    {
        return ['zero' => [0], 'negative' => [-1], 'very negative' => [PHP_INT_MIN]];
    }

    /** @dataProvider badCountProvider */
    public function testCountBelowOneThrows(int $count): void
    {
        try {
            $this->add(new DefinitionWorker('count', $count), 'count');
            self::fail("getCount() = $count accepted");
        } catch (WorkerException $e) {
            self::assertStringContainsString('getCount()', $e->getMessage());
        }
    }

    public function testEmptyNameThrows(): void
    {
        try {
            $this->add(new DefinitionWorker(''), '');
            self::fail('empty name accepted');
        } catch (WorkerException $e) {
            self::assertStringContainsString('getName()', $e->getMessage());
        }
    }

    public function testOverlongNameThrows(): void
    {
        $this->expectException(WorkerException::class);
        $this->add(new DefinitionWorker(str_repeat('n', 256)), str_repeat('n', 256));
    }

    public function testRemovingAnUnknownWorkerThrows(): void
    {
        $this->expectException(WorkerException::class);
        Manager::removeWorker('never-added');
    }

    public function testRunWithoutWorkersThrows(): void
    {
        self::assertSame([], $this->added);
        $this->expectException(WorkerException::class);
        Manager::run();
    }

    public static function workerOnlyProvider(): array
    {
        return [
            'syncId' => ['syncId', static fn () => Worker::syncId()],
            'commandToAll' => ['commandToAll', static fn () => Worker::commandToAll(Command::make('x', ['a' => 1]))],
            'commandToWorker' => ['commandToWorker', static fn () => Worker::commandToWorker(Command::make('x', ['a' => 1]), 'w')],
            'getIndex' => ['getIndex', static fn () => Worker::getIndex()],
            'getServiceName' => ['getServiceName', static fn () => Worker::getServiceName()],
            'syncId on an instance' => ['syncId', static fn () => (new DefinitionWorker('i'))->syncId()],
        ];
    }

    /** @dataProvider workerOnlyProvider */
    public function testWorkerOnlyMethodsThrowInTheMainProcess(string $method, \Closure $call): void
    {
        try {
            $call();
            self::fail("Worker::$method() worked in the main process");
        } catch (WorkerException $e) {
            self::assertStringContainsString("Worker::$method()", $e->getMessage());
            self::assertStringContainsString('worker process', $e->getMessage());
        }
    }

    public static function needsRunningProvider(): array
    {
        $c = Command::make('x', ['a' => 1]);
        return [
            'stop' => [static fn () => Manager::stop()],
            'reload' => [static fn () => Manager::reload()],
            'stopWorker' => [static fn () => Manager::stopWorker('w')],
            'commandToWorker' => [static fn () => Manager::commandToWorker($c, 'w')],
            'commandToAll' => [static fn () => Manager::commandToAll($c)],
        ];
    }

    /** @dataProvider needsRunningProvider */
    public function testManagerControlMethodsNeedRunningServices(\Closure $call): void
    {
        $this->expectException(WorkerException::class);
        $call();
    }
}
