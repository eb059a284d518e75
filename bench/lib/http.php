<?php
/**
 * HTTP hello: every contender runs from its own dir under the scratch dir, on
 * its own 127.0.0.1 port, started once and kept running; wrk visits them
 * round-robin (the order rotates each round), 1 s warm-up then the measured
 * run; the server's CPU time is read from /proc around the measured run.
 */

declare(strict_types=1);

namespace Bench;

final class HttpContender
{
    /** @var list<Proc> */
    public array $procs = [];
    public int $port = 0;
    public ?string $skip = null;

    public function __construct(
        public readonly string $id,
        public readonly string $label,
        public readonly string $kind,      // ripple | fpm | phps | ceiling
        public readonly \Closure $start,   // fn(HttpContender): void, throws Skip
    ) {
    }

    public function cpuTicks(): int
    {
        return array_sum(array_map(fn (Proc $p) => $p->cpuTicks(), $this->procs));
    }

    /** @return list<int|null> exit statuses */
    public function stop(): array
    {
        $codes = [];
        foreach (array_reverse($this->procs) as $p) {
            $codes[] = $p->stop(5.0);
        }
        return $codes;
    }
}

final class Http
{
    private int $clkTck;

    public function __construct(private Ctx $ctx)
    {
        $this->clkTck = (int) trim(Ctx::sh('getconf CLK_TCK')[1]) ?: 100;
    }

    /** @return list<HttpContender> */
    public function contenders(): array
    {
        return [
            new HttpContender('ripple-1', 'ripple http-hello, 1 worker', 'ripple', fn ($c) => $this->startRipple($c, 1)),
            new HttpContender('ripple-2', 'ripple http-hello, 2 workers', 'ripple', fn ($c) => $this->startRipple($c, 2)),
            new HttpContender('fpm-2', 'nginx + php-fpm, pm static 2', 'fpm', fn ($c) => $this->startFpm($c, 2)),
            new HttpContender('fpm-8', 'nginx + php-fpm, pm static 8', 'fpm', fn ($c) => $this->startFpm($c, 8)),
            new HttpContender('php-s', 'php -S (built-in server)', 'phps', fn ($c) => $this->startPhpS($c)),
            new HttpContender('ceiling', 'nginx return 200, 1 worker', 'ceiling', fn ($c) => $this->startCeiling($c)),
        ];
    }

    public function run(): array
    {
        $ctx = $this->ctx;
        $results = ['contenders' => [], 'samples' => [], 'skipped' => []];
        if (Ctx::which('wrk') === null) {
            $results['skipped']['all'] = 'wrk is not installed';
            $ctx->log('HTTP: skipped: wrk is not installed');
            return $results;
        }
        $docroot = $ctx->dir('docroot');
        copy($ctx->root . '/bench/http/hello.php', $docroot . '/hello.php');
        copy($ctx->root . '/bench/http/hello.php', $docroot . '/index.php');

        $ready = [];
        foreach ($this->contenders() as $c) {
            $results['contenders'][$c->id] = ['label' => $c->label, 'kind' => $c->kind];
            try {
                $c->port = $ctx->port();
                ($c->start)($c);
                $this->waitHello($c);
                $ready[] = $c;
                $ctx->log(sprintf('HTTP: %-9s ready on 127.0.0.1:%d', $c->id, $c->port));
            } catch (Skip $e) {
                $c->stop();
                $results['skipped'][$c->id] = $e->getMessage();
                $ctx->log("HTTP: {$c->id}: skipped: " . $e->getMessage());
            }
        }

        try {
            for ($round = 0; $round < $ctx->rounds; $round++) {
                $order = $ready;
                for ($i = 0; $i < $round; $i++) {
                    $order[] = array_shift($order);
                }
                foreach ($ctx->conns as $conns) {
                    foreach ($order as $c) {
                        $s = $this->measure($c, $conns);
                        $results['samples'][$c->id][$conns][] = $s;
                        $ctx->log(sprintf(
                            'HTTP: round %d/%d c=%-3d %-9s %9.0f req/s  p50 %7.0f us  p99 %7.0f us  cpu %6.1f us/req  errors %d',
                            $round + 1,
                            $ctx->rounds,
                            $conns,
                            $c->id,
                            $s['rps'],
                            $s['p50_us'],
                            $s['p99_us'],
                            $s['cpu_us_per_req'] ?? -1,
                            $s['errors'],
                        ));
                    }
                }
            }
        } finally {
            foreach ($ready as $c) {
                $codes = $c->stop();
                if ($c->kind === 'ripple' && $codes !== [0]) {
                    $results['bad_exits'][$c->id] = implode(',', $codes);
                    $ctx->log("HTTP: {$c->id}: exit status " . implode(',', $codes) . ' after SIGTERM (expected 0)');
                }
            }
        }
        $results['summary'] = $this->summarize($results['samples']);
        return $results;
    }

    private function measure(HttpContender $c, int $conns): array
    {
        $ctx = $this->ctx;
        $url = "http://127.0.0.1:{$c->port}/";
        $this->wrk($url, $conns, $ctx->warmup);
        $ticks0 = $c->cpuTicks();
        $out = $this->wrk($url, $conns, $ctx->duration);
        $ticks1 = $c->cpuTicks();
        file_put_contents($ctx->dir('logs') . "/wrk-{$c->id}-c$conns.txt", $out . "\n", FILE_APPEND);
        if (!preg_match('/^WRK .*$/m', $out, $m)) {
            return ['rps' => 0.0, 'p50_us' => null, 'p99_us' => null, 'cpu_us_per_req' => null, 'errors' => -1, 'requests' => 0];
        }
        $w = kv($m[0]);
        $errors = (int) ($w['connect'] + $w['read'] + $w['write'] + $w['status'] + $w['timeout']);
        $requests = (int) $w['requests'];
        $cpuUs = ($ticks1 - $ticks0) * 1e6 / $this->clkTck;
        return [
            'rps' => $requests / ($w['duration_us'] / 1e6),
            'p50_us' => $w['p50_us'],
            'p99_us' => $w['p99_us'],
            'cpu_us_per_req' => $requests > 0 ? $cpuUs / $requests : null,
            'errors' => $errors,
            'non2xx' => (int) $w['status'],
            'read_errors' => (int) $w['read'],
            'requests' => $requests,
        ];
    }

    private function wrk(string $url, int $conns, float $seconds): string
    {
        $cmd = sprintf(
            'timeout %d wrk -t1 -c%d -d%ds --latency -s %s %s',
            (int) ceil($seconds) + 15,
            $conns,
            (int) ceil($seconds),
            escapeshellarg($this->ctx->root . '/bench/lib/wrk-report.lua'),
            escapeshellarg($url),
        );
        return Ctx::sh($cmd)[1];
    }

    /** Polls until GET / answers "hello\n" (10 s), else Skip with the logs' tail. */
    private function waitHello(HttpContender $c): void
    {
        $deadline = microtime(true) + 10;
        $last = '';
        $ctx = stream_context_create(['http' => ['timeout' => 1, 'ignore_errors' => true]]);
        while (microtime(true) < $deadline) {
            foreach ($c->procs as $p) {
                if (!$p->alive()) {
                    throw new Skip("exited with status {$p->exitCode()} at startup: " . $this->logTail($c));
                }
            }
            $body = @file_get_contents("http://127.0.0.1:{$c->port}/", false, $ctx);
            if ($body === "hello\n") {
                return;
            }
            $last = $body === false ? 'no answer' : 'answered ' . json_encode(substr($body, 0, 80));
            usleep(100000);
        }
        throw new Skip("GET / never answered \"hello\\n\" ($last): " . $this->logTail($c));
    }

    private function logTail(HttpContender $c): string
    {
        $f = $this->ctx->dir($c->id) . '/server.log';
        $lines = is_file($f) ? array_slice(file($f, FILE_IGNORE_NEW_LINES), -3) : [];
        return $lines ? implode(' | ', $lines) : '(no log)';
    }

    private function startRipple(HttpContender $c, int $workers): void
    {
        $ctx = $this->ctx;
        if (($why = $ctx->rippleAvailable()) !== null) {
            throw new Skip($why);
        }
        $example = $ctx->root . '/examples/http-hello.php';
        if (!is_file($example)) {
            throw new Skip('examples/http-hello.php does not exist yet');
        }
        $probe = $ctx->tmp . '/has-http-server.php';
        file_put_contents($probe, "<?php\nvar_dump(class_exists('Psc\\Http\\Server'));\n");
        [, $out] = Ctx::sh('timeout 10 ' . escapeshellarg($ctx->ripple) . ' ' . escapeshellarg($probe));
        if (!str_contains($out, 'bool(true)')) {
            throw new Skip('Psc\Http\Server is not in this ripple build');
        }
        $dir = $ctx->dir($c->id);
        $p = Proc::start(
            [$ctx->ripple, '--control', "$dir/control.sock", $example],
            ['HTTP_LISTEN' => "127.0.0.1:{$c->port}", 'HTTP_WORKERS' => (string) $workers],
            "$dir/server.log",
            false,
            $dir,
        );
        if ($p === null) {
            throw new Skip('could not start build/ripple');
        }
        $c->procs[] = $p;
    }

    private function nginxConf(string $dir, int $port, int $workers, string $location): string
    {
        $user = $this->ctx->isRoot ? "user root root;\n" : '';
        return <<<CONF
            daemon off;
            master_process on;
            worker_processes $workers;
            {$user}pid $dir/nginx.pid;
            error_log $dir/server.log warn;
            events {
                worker_connections 4096;
            }
            http {
                access_log off;
                keepalive_requests 1000000;
                keepalive_timeout 65s;
                client_body_temp_path $dir/client_body;
                proxy_temp_path $dir/proxy;
                fastcgi_temp_path $dir/fastcgi;
                uwsgi_temp_path $dir/uwsgi;
                scgi_temp_path $dir/scgi;
                server {
                    listen 127.0.0.1:$port;
                    $location
                }
            }

            CONF;
    }

    private function startNginx(HttpContender $c, string $dir, string $conf): void
    {
        $nginx = Ctx::which('nginx') ?? (is_executable('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null);
        if ($nginx === null) {
            throw new Skip('nginx is not installed');
        }
        file_put_contents("$dir/nginx.conf", $conf);
        $p = Proc::start([$nginx, '-p', $dir, '-e', "$dir/server.log", '-c', "$dir/nginx.conf"], [], "$dir/server.log", false, $dir);
        if ($p === null) {
            throw new Skip('could not start nginx');
        }
        $c->procs[] = $p;
    }

    private function startCeiling(HttpContender $c): void
    {
        $dir = $this->ctx->dir($c->id);
        $this->startNginx($c, $dir, $this->nginxConf($dir, $c->port, 1, <<<'LOC'
            location / {
                        default_type text/plain;
                        return 200 "hello\n";
                    }
            LOC));
    }

    private function startFpm(HttpContender $c, int $children): void
    {
        $fpm = Ctx::which('php-fpm8.2') ?? (is_executable('/usr/sbin/php-fpm8.2') ? '/usr/sbin/php-fpm8.2' : null);
        if ($fpm === null) {
            throw new Skip('php8.2-fpm is not installed');
        }
        $dir = $this->ctx->dir($c->id);
        $docroot = $this->ctx->tmp . '/docroot';
        file_put_contents("$dir/php-fpm.conf", <<<CONF
            [global]
            pid = $dir/php-fpm.pid
            error_log = $dir/server.log
            daemonize = no

            [hello]
            listen = $dir/php-fpm.sock
            listen.mode = 0666
            listen.backlog = 4096
            pm = static
            pm.max_children = $children
            pm.max_requests = 0

            CONF);
        $cmd = [$fpm, '-F', '-y', "$dir/php-fpm.conf",
            '-d', 'opcache.enable=1', '-d', 'opcache.validate_timestamps=0'];
        if ($this->ctx->isRoot) {
            $cmd[] = '-R';
        }
        $p = Proc::start($cmd, [], "$dir/server.log", false, $dir);
        if ($p === null) {
            throw new Skip('could not start php-fpm');
        }
        $c->procs[] = $p;
        for ($i = 0; $i < 100 && !file_exists("$dir/php-fpm.sock"); $i++) {
            usleep(50000);
        }
        $params = '';
        foreach ([
            'SCRIPT_FILENAME' => "$docroot/hello.php", 'SCRIPT_NAME' => '/hello.php',
            'DOCUMENT_ROOT' => $docroot, 'REQUEST_METHOD' => '$request_method',
            'REQUEST_URI' => '$request_uri', 'QUERY_STRING' => '$query_string',
            'CONTENT_TYPE' => '$content_type', 'CONTENT_LENGTH' => '$content_length',
            'SERVER_PROTOCOL' => '$server_protocol', 'GATEWAY_INTERFACE' => 'CGI/1.1',
            'SERVER_SOFTWARE' => 'nginx', 'REMOTE_ADDR' => '$remote_addr',
            'REMOTE_PORT' => '$remote_port', 'SERVER_ADDR' => '$server_addr',
            'SERVER_PORT' => '$server_port', 'SERVER_NAME' => '$server_name',
        ] as $k => $v) {
            $params .= "            fastcgi_param $k $v;\n";
        }
        $this->startNginx($c, $dir, $this->nginxConf($dir, $c->port, 1, <<<LOC
            location / {
            {$params}            fastcgi_pass unix:$dir/php-fpm.sock;
                    }
            LOC));
    }

    private function startPhpS(HttpContender $c): void
    {
        $dir = $this->ctx->dir($c->id);
        $p = Proc::start(
            [PHP_BINARY, '-q', '-d', 'opcache.enable_cli=1', '-S', "127.0.0.1:{$c->port}", '-t', $this->ctx->tmp . '/docroot'],
            [],
            "$dir/server.log",
            false,
            $dir,
        );
        if ($p === null) {
            throw new Skip('could not start php -S');
        }
        $c->procs[] = $p;
    }

    /** Median over rounds of each metric, per contender and connection count. */
    private function summarize(array $samples): array
    {
        $sum = [];
        foreach ($samples as $id => $byConns) {
            foreach ($byConns as $conns => $list) {
                $sum[$id][$conns] = [
                    'rps' => median(array_column($list, 'rps')),
                    'p50_us' => median(array_column($list, 'p50_us')),
                    'p99_us' => median(array_column($list, 'p99_us')),
                    'cpu_us_per_req' => median(array_column($list, 'cpu_us_per_req')),
                    'errors' => array_sum(array_column($list, 'errors')),
                    'read_errors' => array_sum(array_column($list, 'read_errors')),
                    'rounds' => count($list),
                ];
            }
        }
        return $sum;
    }
}
