<?php

/** @generate-class-entries */

namespace Psc\Worker {

    /** The supervisor; its methods are for the main process only. */
    class Manager
    {
        public static function addWorker(Worker $worker): void {}

        public static function removeWorker(string $name): void {}

        public static function reload(?string $name = null): void {}

        public static function stop(): void {}

        public static function stopWorker(string $name): void {}

        public static function commandToWorker(Command $command, string $name): void {}

        public static function commandToAll(Command $command): void {}

        /** Starts the services; returns after stop(). Never returns in a worker process. */
        public static function run(): void {}
    }
}
