<?php

/** @generate-class-entries */

namespace Psc\Worker {

    /** One service: a subclass runs getCount() processes, forked after register(). */
    abstract class Worker
    {
        abstract public function getName(): string;

        abstract public function getCount(): int;

        /** Runs in the main process, before the fork: open listening sockets here. */
        abstract public function register(Manager $manager): void;

        /** Runs in each worker process after it starts. */
        abstract public function boot(): void;

        abstract public function onCommand(Command $workerCommand): void;

        /** Release resources so the process can end; it is replaced by a fresh one. */
        abstract public function onReload(): void;

        /** Called when the service stops; by default the same as onReload(). */
        public function onStop(): void {}

        /** Seconds a process may take to finish after onReload()/onStop() before it is killed. */
        public function getGracePeriod(): float {}

        /** Worker process only: sends to every process of every service, the sender included. */
        public static function commandToAll(Command $command): void {}

        /** Worker process only: sends to every process of the service $name. */
        public static function commandToWorker(Command $command, string $name): void {}

        /** Worker process only: an id unique across the whole service group. */
        public static function syncId(): int {}

        /** Worker process only: this process's index within its service (0 .. getCount()-1). */
        public static function getIndex(): int {}

        /** Worker process only: the name of this process's service. */
        public static function getServiceName(): string {}
    }
}
