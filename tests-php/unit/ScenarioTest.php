<?php
declare(strict_types=1);

namespace Ripple\Tests\Unit;

use Ripple\Tests\RippleTestCase;

/**
 * Misuse and failures inside a running service group: fixtures/scenarios.php
 * run by a child ripple process, observed through its output.
 */
final class ScenarioTest extends RippleTestCase
{
    public function testMainOnlyMethodsThrowInAWorker(): void
    {
        $p = $this->scenario('worker_calls_manager');
        $results = $p->results();
        self::assertContains('done', $results, $p->output());
        foreach (['addWorker', 'removeWorker', 'reload', 'stop', 'stopWorker', 'commandToWorker', 'commandToAll', 'run'] as $m) {
            $line = current(array_filter($results, fn ($r) => str_starts_with($r, "Manager::$m ")));
            self::assertNotFalse($line, "no result for Manager::$m\n" . $p->output());
            self::assertStringContainsString('Psc\Worker\WorkerException', $line);
            self::assertStringContainsString("Manager::$m()", $line);
            self::assertStringContainsString('main process', $line);
        }
        self::assertSame(0, $p->stop(), $p->output());
        // The worker survived all of it: no unexpected exit.
        self::assertStringNotContainsString('(unexpected)', $p->err());
    }

    public function testUnsendableCommandsThrowAtTheCallSiteAndNothingIsSent(): void
    {
        $p = $this->scenario('unsendable');
        $results = $p->results();
        self::assertContains('done', $results, $p->output());
        foreach (['closure', 'resource', 'nested_resource', 'object_with_closure'] as $case) {
            foreach (['commandToAll', 'commandToWorker'] as $method) {
                $line = current(array_filter($results, fn ($r) => str_starts_with($r, "$method $case ")));
                self::assertNotFalse($line, "$method $case\n" . $p->output());
                self::assertStringContainsString('Psc\Worker\WorkerException', $line, $line);
                self::assertStringContainsString("Worker::$method()", $line, $line);
            }
        }
        // Only the good command arrived.
        self::assertSame(['received last'], array_values(array_filter($results, fn ($r) => str_starts_with($r, 'received'))), $p->output());
        self::assertSame(0, $p->stop(), $p->output());
    }

    public function testCommandOverMaxCommandSizeThrowsAndOneUnderTheLimitArrives(): void
    {
        $p = $this->scenario('oversize', ['-d', 'ripple.max_command_size=4K']);
        $results = $p->results();
        self::assertContains('done', $results, $p->output());
        self::assertContains('limit 4K', $results);
        foreach (['commandToAll', 'commandToWorker'] as $method) {
            $line = current(array_filter($results, fn ($r) => str_starts_with($r, "$method ")));
            self::assertNotFalse($line);
            self::assertStringContainsString('WorkerException', $line);
            self::assertStringContainsString('ripple.max_command_size', $line);
        }
        self::assertSame(['received fits 3000'], array_values(array_filter($results, fn ($r) => str_starts_with($r, 'received'))), $p->output());
        self::assertSame(0, $p->stop(), $p->output());
    }

    public function testBootThrowingEndsTheProcessWhichIsRestarted(): void
    {
        $p = $this->scenario('boot_throws');
        self::assertContains('booted attempt=2', $p->results(), $p->output());
        self::assertStringContainsString('boot failed on purpose', $p->err());
        self::assertMatchesRegularExpression('/\[manager\] w#0 pid \d+ exited with exit status 255/', $p->err());
        self::assertSame(0, $p->stop(), $p->output());
    }

    public function testRegisterThrowingLeavesRunAndNoProcess(): void
    {
        $p = $this->scenario('register_throws');
        self::assertSame(0, $p->wait(), $p->output());
        self::assertContains('caught RuntimeException: register failed on purpose', $p->results(), $p->output());
        self::assertContains('children=0', $p->results(), $p->output());
        self::assertStringNotContainsString('ready after', $p->err());
    }

    public function testRunCalledTwiceThrows(): void
    {
        $p = $this->scenario('run_twice');
        self::assertSame(0, $p->wait(), $p->output());
        $results = $p->results();
        self::assertContains('first run returned', $results, $p->output());
        $nested = current(array_filter($results, fn ($r) => str_starts_with($r, 'nested run ')));
        $second = current(array_filter($results, fn ($r) => str_starts_with($r, 'second run ')));
        self::assertStringContainsString('Psc\Worker\WorkerException', (string) $nested, $p->output());
        self::assertStringContainsString('Psc\Worker\WorkerException', (string) $second, $p->output());
        self::assertContains('children=0', $results);
    }

    public function testExitInAWorkerIsRestarted(): void
    {
        $p = $this->scenario('exit_in_worker');
        self::assertContains('booted attempt=2', $p->results(), $p->output());
        self::assertMatchesRegularExpression('/\[manager\] w#0 pid \d+ exited with exit status 3/', $p->err());
        self::assertSame(0, $p->stop(), $p->output());
    }

    public function testFatalErrorInAWorkerIsRestarted(): void
    {
        $p = $this->scenario('fatal_in_worker');
        self::assertContains('booted attempt=2', $p->results(), $p->output());
        self::assertStringContainsString('Allowed memory size', $p->err());
        self::assertMatchesRegularExpression('/\[manager\] w#0 pid \d+ exited with exit status 255/', $p->err());
        self::assertSame(0, $p->stop(), $p->output());
    }

    public function testExceptionFromOnCommandIsLoggedAndTheProcessKeepsServing(): void
    {
        $p = $this->scenario('oncommand_throws');
        $results = $p->results();
        self::assertContains('done', $results, $p->output());
        $pid = current(array_filter($results, fn ($r) => str_starts_with($r, 'pid ')));
        self::assertNotFalse($pid);
        // The same process answered after the exception.
        self::assertContains('pong ' . $pid, $results, $p->output());
        self::assertStringContainsString('onCommand failed on purpose', $p->err());
        self::assertStringNotContainsString('(unexpected)', $p->err());
        self::assertSame(0, $p->stop(), $p->output());
    }
}
