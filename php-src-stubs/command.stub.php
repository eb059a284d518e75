<?php

/** @generate-class-entries */

namespace Psc\Worker {

    /** A message between processes: a name and serializable arguments. */
    class Command
    {
        public readonly string $name;
        public readonly array $arguments;

        public function __construct(string $name, array $arguments = []) {}

        public static function make(string $name, array $arguments = []): Command {}

        /** The serialized form, as sent between processes. */
        public function __toString(): string {}

        public static function fromString(string $data): Command {}
    }
}
