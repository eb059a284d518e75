<?php
declare(strict_types=1);

// The suite tests the ripple extension from the inside, so it must run under
// the ripple binary, not under php.
if (!extension_loaded('ripple')) {
    fwrite(STDERR, "tests-php: run this suite with the ripple binary: build/ripple /usr/bin/phpunit -c tests-php/phpunit.xml\n");
    exit(1);
}

// The binary the process tests start: RIPPLE_BINARY, else the one running us.
$binary = getenv('RIPPLE_BINARY');
if ($binary === false || $binary === '') {
    $binary = (string) readlink('/proc/self/exe');
} elseif ($binary[0] !== '/') {
    $binary = dirname(__DIR__) . '/' . $binary;
}
if (!is_executable($binary)) {
    fwrite(STDERR, "tests-php: RIPPLE_BINARY '$binary' is not executable\n");
    exit(1);
}
define('RIPPLE_TEST_BINARY', $binary);
define('RIPPLE_TEST_FIXTURES', __DIR__ . '/fixtures');

require __DIR__ . '/support/RippleProcess.php';
require __DIR__ . '/support/RippleTestCase.php';
