<?php
declare(strict_types=1);

namespace Ripple\Tests;

use PHPUnit\Framework\TestCase;

abstract class RippleTestCase extends TestCase
{
    private ?string $stateDir = null;

    protected function tearDown(): void
    {
        if ($this->stateDir !== null) {
            array_map('unlink', glob($this->stateDir . '/*') ?: []);
            @rmdir($this->stateDir);
            $this->stateDir = null;
        }
    }

    protected function stateDir(): string
    {
        if ($this->stateDir === null) {
            $this->stateDir = sys_get_temp_dir() . '/ripple-phpunit-state-' . getmypid() . '-' . bin2hex(random_bytes(4));
            mkdir($this->stateDir);
        }
        return $this->stateDir;
    }

    /** Starts a fixture script (tests-php/fixtures/NAME) with ripple. */
    protected function start(string $fixture, array $env = [], array $options = []): RippleProcess
    {
        return new RippleProcess([...$options, RIPPLE_TEST_FIXTURES . '/' . $fixture], $env);
    }

    /** Runs a scenario of fixtures/scenarios.php until it prints "RESULT done" (then stops it) or exits. */
    protected function scenario(string $name, array $options = [], float $timeout = 15.0): RippleProcess
    {
        $p = $this->start('scenarios.php', ['SCENARIO' => $name, 'STATE_DIR' => $this->stateDir()], $options);
        $p->waitUntil(fn (RippleProcess $p) => str_contains($p->out(), 'RESULT done') || $p->exited(), $timeout);
        return $p;
    }

    /** Runs a PHP snippet in a fresh ripple process (for cases that could take the test runner down). */
    protected function runSnippet(string $code, float $timeout = 15.0): RippleProcess
    {
        $file = $this->stateDir() . '/snippet-' . bin2hex(random_bytes(4)) . '.php';
        file_put_contents($file, "<?php\n" . $code);
        $p = new RippleProcess([$file]);
        $p->wait($timeout);
        return $p;
    }
}
