<?php

/** @generate-class-entries */

namespace Psc\Event {

    /**
     * The event loop of the current process (libevent). Watcher callbacks get
     * the watcher id first: fn(string $id, ...).
     */
    final class Loop
    {
        /** Runs $callback once on the next loop iteration: fn(string $id). */
        public static function defer(callable $callback): string {}

        /** Runs $callback once after $delay seconds: fn(string $id). */
        public static function delay(float $delay, callable $callback): string {}

        /** Runs $callback every $interval seconds: fn(string $id). */
        public static function repeat(float $interval, callable $callback): string {}

        /** @param resource $stream fn(string $id, resource $stream) when readable. */
        public static function onReadable(mixed $stream, callable $callback): string {}

        /** @param resource $stream fn(string $id, resource $stream) when writable. */
        public static function onWritable(mixed $stream, callable $callback): string {}

        /** fn(string $id, int $signal) when the process receives $signal. */
        public static function onSignal(int $signal, callable $callback): string {}

        public static function cancel(string $callbackId): void {}

        public static function enable(string $callbackId): string {}

        public static function disable(string $callbackId): string {}

        public static function reference(string $callbackId): string {}

        public static function unreference(string $callbackId): string {}

        public static function isEnabled(string $callbackId): bool {}

        /** Runs until no referenced, enabled watcher is left or stop() is called. */
        public static function run(): void {}

        public static function stop(): void {}

        /** Fiber helper: suspends the current fiber (or runs the loop) for $seconds. */
        public static function sleep(float $seconds): void {}

        /** Fiber helper: suspends until $stream is readable or $timeout (seconds, < 0: none) passes; true if readable. */
        public static function awaitReadable(mixed $stream, float $timeout = -1): bool {}

        /** Fiber helper: suspends until $stream is writable or $timeout passes; true if writable. */
        public static function awaitWritable(mixed $stream, float $timeout = -1): bool {}
    }
}
