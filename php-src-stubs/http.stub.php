<?php

/** @generate-class-entries */

namespace Psc\Http {

    /** Thrown when the server cannot listen, or a response is used out of order. */
    class HttpException extends \RuntimeException
    {
    }

    /**
     * A native HTTP/1.1 server (libevent's evhttp) for worker processes.
     *
     * Create it in Worker::register() (main process): the listening socket is
     * opened there and inherited by every worker process. In Worker::boot()
     * set the handler and call listen(). On reload or stop the server stops
     * accepting, finishes the requests in flight and closes idle keep-alive
     * connections by itself.
     *
     * Options (sizes: bytes or "16K"/"8M"; times: seconds):
     *   max_header_size  request line + headers          16K  → 400 when larger
     *   max_body_size    request body                     8M  → 413 when larger
     *   header_timeout   first byte → end of headers      10  → 408
     *   idle_timeout     no progress on a connection      60  → closed
     *   drain_timeout    idle keep-alive grace on close    1
     *   max_connections  open connections per process  10000  (0: no cap; above it
     *                    connections wait in the backlog for another process)
     *   backlog          listen() backlog                1024
     *
     * @strict-properties
     * @not-serializable
     */
    final class Server
    {
        /**
         * @param string $address "http://HOST:PORT" (PORT 0: a free port)
         * @param array $options see the class comment
         * @throws HttpException when the address cannot be listened on
         * @throws \ValueError for a malformed address or option
         */
        public function __construct(string $address, array $options = []) {}

        /** fn(Request $request, Response $response): the response is ended when the handler returns. */
        public function onRequest(callable $handler): void {}

        /** Starts serving in this process (a worker, in boot()). */
        public function listen(): void {}

        /** Stops accepting; requests in flight finish. Also done on reload and stop. */
        public function close(): void {}

        /** "http://HOST:PORT" with the port actually bound. */
        public function getAddress(): string {}

        public function getPort(): int {}
    }

    /**
     * A request as it arrived; readable for as long as it is kept.
     *
     * @strict-properties
     * @not-serializable
     */
    final class Request
    {
        private function __construct() {}

        /** "GET", "POST", ... */
        public function getMethod(): string {}

        /** The raw request-target: "/path?query". */
        public function getTarget(): string {}

        /** The target's path, not percent-decoded. */
        public function getPath(): string {}

        /** The query string parsed like parse_str(). */
        public function getQuery(): array {}

        /** Case-insensitive; repeated headers joined with ", "; null when absent. */
        public function getHeader(string $name): ?string {}

        /** name (as first sent) => list of values, repeated headers kept */
        public function getHeaders(): array {}

        public function getBody(): string {}

        public function getClientAddress(): string {}

        public function getClientPort(): int {}

        /** "1.1" or "1.0" */
        public function getProtocolVersion(): string {}
    }

    /**
     * The response to one request.
     *
     * @strict-properties
     * @not-serializable
     */
    final class Response
    {
        private function __construct() {}

        public function setStatus(int $code, ?string $reason = null): void {}

        public function getStatus(): int {}

        /** Replaces any header of that name. */
        public function setHeader(string $name, string $value): void {}

        /** Adds a header, keeping those of the same name. */
        public function addHeader(string $name, string $value): void {}

        public function removeHeader(string $name): void {}

        /** Streams a chunk (chunked transfer encoding); false when the client is gone. */
        public function write(string $chunk): bool {}

        /** Ends the response, with $body as its last part. A second call does nothing. */
        public function end(string $body = ""): void {}

        public function isHeadersSent(): bool {}

        public function isEnded(): bool {}
    }
}
