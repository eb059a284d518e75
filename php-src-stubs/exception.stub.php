<?php

/** @generate-class-entries */

namespace Psc\Worker {

    /** Thrown when the worker API is used wrongly (wrong process, bad definition, bad command). */
    class WorkerException extends \RuntimeException
    {
    }
}
