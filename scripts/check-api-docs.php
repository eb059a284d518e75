<?php
/**
 * Checks that docs/api.md mentions every public method declared in
 * php-src-stubs/*.stub.php, written as `Class::method(`.
 *
 *   build/ripple scripts/check-api-docs.php      # exit 0: in sync; 1: something is missing
 */

$root = dirname(__DIR__);
$doc = @file_get_contents("$root/docs/api.md");
if ($doc === false) {
    fwrite(STDERR, "check-api-docs: cannot read docs/api.md\n");
    exit(1);
}

$missing = [];
$count = 0;
foreach (glob("$root/php-src-stubs/*.stub.php") as $stub) {
    $class = null;
    foreach (file($stub) as $line) {
        if (preg_match('/^\s*(?:(?:abstract|final)\s+)*class\s+(\w+)/', $line, $m)) {
            $class = $m[1];
            continue;
        }
        if ($class !== null && preg_match('/^\s*(?:abstract\s+)?public\s+(?:static\s+)?function\s+(\w+)\s*\(/', $line, $m)) {
            $count++;
            $needle = "$class::{$m[1]}(";
            if (!str_contains($doc, $needle)) {
                $missing[] = $needle . ')  (' . basename($stub) . ')';
            }
        }
    }
}

if ($count === 0) {
    fwrite(STDERR, "check-api-docs: no public methods found in php-src-stubs/*.stub.php\n");
    exit(1);
}
if ($missing !== []) {
    fwrite(STDERR, "check-api-docs: docs/api.md does not document:\n  " . implode("\n  ", $missing) . "\n");
    exit(1);
}
echo "check-api-docs: all $count public methods of php-src-stubs are in docs/api.md\n";
