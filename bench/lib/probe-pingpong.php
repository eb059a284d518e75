<?php
/**
 * Machine probe: round trips per second of 1 byte between two processes over
 * an AF_UNIX socketpair, for 0.5 s. Half a round trip is the floor of a
 * one-way hop from one process to another on this machine (the cost of
 * waking the other side), whatever the IPC layer on top.
 */

declare(strict_types=1);

[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($a);
    while (($x = fread($b, 1)) !== '' && $x !== false) {
        fwrite($b, $x);
    }
    exit(0);
}
fclose($b);
$n = 0;
$t0 = hrtime(true);
do {
    fwrite($a, 'x');
    fread($a, 1);
    $n++;
} while (($t = hrtime(true)) - $t0 < 500_000_000);
fclose($a);
pcntl_waitpid($pid, $status);
$rtt = ($t - $t0) / $n / 1000;
printf("RESULT roundtrips_per_sec=%.0f rtt_us=%.2f one_way_us=%.2f\n", $n / (($t - $t0) / 1e9), $rtt, $rtt / 2);
