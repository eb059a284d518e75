// Psc\Http\Server end to end: the real binary on tests-php/fixtures/http_*.php,
// spoken to over raw sockets on 127.0.0.1 (ephemeral ports).
#include "harness.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using e2e::Seconds;
using e2e::Stream;

namespace {

using Clock = std::chrono::steady_clock;

struct HttpResponse {
    std::string version;  // "HTTP/1.1"
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool chunked = false;

    std::optional<std::string> header(const std::string& name) const {
        for (const auto& [k, v] : headers) {
            if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
        }
        return std::nullopt;
    }
    bool closes() const {
        auto c = header("Connection");
        return c && strcasecmp(c->c_str(), "close") == 0;
    }
};

// A blocking client connection with deadlines: enough HTTP/1.1 to check the server.
class Client {
public:
    explicit Client(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
            ::close(fd_);
            fd_ = -1;
            return;
        }
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    ~Client() {
        if (fd_ >= 0) ::close(fd_);
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool connected() const { return fd_ >= 0; }

    bool send(const std::string& data) {
        std::size_t off = 0;
        while (off < data.size()) {
            const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }

    // One response: Content-Length, chunked, or (HTTP/1.0) until close.
    // nullopt on timeout or a close before the response is complete.
    std::optional<HttpResponse> read_response(Seconds timeout = 5s, bool head_request = false) {
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
        std::size_t end;
        while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
            if (!fill(deadline)) return std::nullopt;
        }
        HttpResponse r;
        const std::string head = buf_.substr(0, end);
        buf_.erase(0, end + 4);
        std::size_t line_end = head.find("\r\n");
        const std::string status_line = head.substr(0, line_end);
        if (status_line.size() < 12) return std::nullopt;
        r.version = status_line.substr(0, 8);
        r.status = std::atoi(status_line.c_str() + 9);
        while (line_end != std::string::npos) {
            const std::size_t start = line_end + 2;
            line_end = head.find("\r\n", start);
            const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
            const auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            r.headers.emplace_back(line.substr(0, colon), value);
        }
        if (head_request || r.status == 204 || r.status == 304) return r;
        if (auto te = r.header("Transfer-Encoding"); te && strcasecmp(te->c_str(), "chunked") == 0) {
            r.chunked = true;
            for (;;) {
                std::size_t eol;
                while ((eol = buf_.find("\r\n")) == std::string::npos) {
                    if (!fill(deadline)) return std::nullopt;
                }
                const std::size_t size = std::stoul(buf_.substr(0, eol), nullptr, 16);
                while (buf_.size() < eol + 2 + size + 2) {
                    if (!fill(deadline)) return std::nullopt;
                }
                r.body += buf_.substr(eol + 2, size);
                buf_.erase(0, eol + 2 + size + 2);
                if (size == 0) return r;
            }
        }
        if (auto cl = r.header("Content-Length")) {
            const std::size_t size = std::stoul(*cl);
            while (buf_.size() < size) {
                if (!fill(deadline)) return std::nullopt;
            }
            r.body = buf_.substr(0, size);
            buf_.erase(0, size);
            return r;
        }
        while (fill(deadline)) {
        }
        if (!eof_) return std::nullopt;
        r.body = std::move(buf_);
        buf_.clear();
        return r;
    }

    // True when the server closes the connection (EOF or reset) within `timeout`.
    bool closed_within(Seconds timeout) {
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
        while (fill(deadline)) {
        }
        return eof_;
    }

    // Everything until the server closes or `timeout` passes.
    std::string read_all(Seconds timeout) {
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
        while (fill(deadline)) {
        }
        std::string out = std::move(buf_);
        buf_.clear();
        return out;
    }

    // True if some bytes arrive within `timeout` (they stay buffered).
    bool readable_within(Seconds timeout) {
        if (!buf_.empty()) return true;
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
        return fill(deadline) && !buf_.empty();
    }

private:
    // Reads once; false on deadline or EOF.
    bool fill(Clock::time_point deadline) {
        if (eof_) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(left));
        if (rc <= 0) return false;
        char chunk[16384];
        const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        buf_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string buf_;
    bool eof_ = false;
};

std::string get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

// The fixture server: ripple on tests-php/fixtures/http_server.php.
class Fixture {
public:
    explicit Fixture(int workers = 1, const std::string& options_json = "{}") : workers_(workers) {
        e2e::Options o;
        o.args = {e2e::source_path("tests-php/fixtures/http_server.php")};
        o.env = {{"HTTP_WORKERS", std::to_string(workers)}, {"HTTP_OPTIONS", options_json}, {"HTTP_PORT", "0"}};
        ripple_ = std::make_unique<e2e::Ripple>(o);
        const auto line = ripple_->wait_for(Stream::Err, "HTTP-PORT ", 15s);
        if (line) port_ = std::atoi(line->c_str() + line->find("HTTP-PORT ") + 10);
        ready_ = port_ > 0 && ripple_->wait_ready(static_cast<std::size_t>(workers), 15s);
    }
    ~Fixture() {
        if (ripple_ && !ripple_->exited()) {
            ripple_->signal(SIGTERM);
            ripple_->wait_exit(10s);
        }
    }

    bool ready() const { return ready_; }
    int port() const { return port_; }
    e2e::Ripple& ripple() { return *ripple_; }

    std::optional<HttpResponse> request(const std::string& raw) {
        Client c(port_);
        if (!c.connected() || !c.send(raw)) return std::nullopt;
        return c.read_response();
    }

private:
    int workers_;
    int port_ = 0;
    bool ready_ = false;
    std::unique_ptr<e2e::Ripple> ripple_;
};

#define START_FIXTURE(name, ...)              \
    Fixture name{__VA_ARGS__};                \
    ASSERT_TRUE(name.ready()) << name.ripple().err()

}  // namespace

TEST(Http, AnswersAndKeepsTheConnectionAlive) {
    START_FIXTURE(server);
    Client c(server.port());
    ASSERT_TRUE(c.connected());
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(c.send(get("/hello")));
        auto r = c.read_response();
        ASSERT_TRUE(r) << "request " << i << " on one connection";
        EXPECT_EQ(r->version, "HTTP/1.1");
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, "hello\n");
        EXPECT_EQ(r->header("Content-Length"), "6");
        EXPECT_EQ(r->header("Content-Type"), "text/plain");
        EXPECT_FALSE(r->closes());
    }
    // A handler that returns without end() is ended for it.
    ASSERT_TRUE(c.send(get("/noend")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("X-Handler"), "returned");
    EXPECT_EQ(r->body, "");
    // Unknown path: the fixture's 404, same connection.
    ASSERT_TRUE(c.send(get("/nowhere")));
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    // Connection: close from the client is honoured.
    ASSERT_TRUE(c.send(get("/hello", "Connection: close\r\n")));
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->closes());
    EXPECT_TRUE(c.closed_within(5s));
}

TEST(Http, RequestApi) {
    START_FIXTURE(server);
    const std::string body = "name=ripple&x=1";
    auto r = server.request("POST /echo?a[]=1&a[]=2&b=x%20y&h=x-rep HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "X-Rep: one\r\nx-rep: two\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("Content-Type"), "application/json");
    const std::string& j = r->body;
    EXPECT_NE(j.find(R"("method":"POST")"), std::string::npos) << j;
    EXPECT_NE(j.find(R"("target":"/echo?a[]=1&a[]=2&b=x%20y&h=x-rep")"), std::string::npos) << j;
    EXPECT_NE(j.find(R"("path":"/echo")"), std::string::npos) << j;
    EXPECT_NE(j.find(R"("query":{"a":["1","2"],"b":"x y","h":"x-rep"})"), std::string::npos) << j;
    EXPECT_NE(j.find(R"("X-Rep":["one","two"])"), std::string::npos) << j;  // repeated headers kept
    EXPECT_NE(j.find(R"("header":"one, two")"), std::string::npos) << j;    // and joined, case-insensitively
    EXPECT_NE(j.find(R"("body":"name=ripple&x=1")"), std::string::npos) << j;
    EXPECT_NE(j.find(R"("protocol":"1.1")"), std::string::npos) << j;
    EXPECT_NE(j.find(R"("client":"127.0.0.1")"), std::string::npos) << j;

    // HEAD: the length a GET would have, no body.
    Client c(server.port());
    ASSERT_TRUE(c.send("HEAD /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    r = c.read_response(5s, true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("Content-Length"), "6");
    ASSERT_TRUE(c.send(get("/hello")));  // nothing of a body was left on the wire
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello\n");

    // Status without a body.
    r = server.request(get("/status?code=204"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204);
}

TEST(Http, Http10Clients) {
    START_FIXTURE(server);
    {
        Client c(server.port());
        ASSERT_TRUE(c.send("GET /hello HTTP/1.0\r\n\r\n"));
        auto r = c.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->version, "HTTP/1.0");
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, "hello\n");
        EXPECT_TRUE(c.closed_within(5s)) << "HTTP/1.0 without keep-alive: closed after the response";
    }
    {
        Client c(server.port());
        ASSERT_TRUE(c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        auto r = c.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->body, "hello\n");
        EXPECT_EQ(r->header("Connection"), "keep-alive");
        ASSERT_TRUE(c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        r = c.read_response();
        ASSERT_TRUE(r) << "a second request on the HTTP/1.0 keep-alive connection";
        EXPECT_EQ(r->body, "hello\n");
    }
    {
        // A streamed response to HTTP/1.0: no chunked encoding, the body ends with the connection.
        Client c(server.port());
        ASSERT_TRUE(c.send("GET /stream?n=2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        auto r = c.read_response();
        ASSERT_TRUE(r);
        EXPECT_FALSE(r->chunked);
        EXPECT_EQ(r->body, "chunk 1\nchunk 2\n");
    }
}

TEST(Http, PipelinedRequestsAreAnsweredInOrder) {
    START_FIXTURE(server);
    Client c(server.port());
    // Two requests in one write; the first is slow, so order is the server's doing.
    ASSERT_TRUE(c.send(get("/slow?ms=100") + get("/echo?i=2") + get("/echo?i=3")));
    auto first = c.read_response();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body.rfind("slow ", 0), 0u) << first->body;
    auto second = c.read_response();
    ASSERT_TRUE(second);
    EXPECT_NE(second->body.find(R"("query":{"i":"2"})"), std::string::npos) << second->body;
    auto third = c.read_response();
    ASSERT_TRUE(third);
    EXPECT_NE(third->body.find(R"("query":{"i":"3"})"), std::string::npos) << third->body;
}

TEST(Http, ChunkedResponse) {
    START_FIXTURE(server);
    Client c(server.port());
    ASSERT_TRUE(c.send(get("/stream?n=3")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->chunked);
    EXPECT_FALSE(r->header("Content-Length"));
    EXPECT_EQ(r->body, "chunk 1\nchunk 2\nchunk 3\n");
    // The connection stays usable after the last chunk.
    ASSERT_TRUE(c.send(get("/hello")));
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello\n");
}

TEST(Http, Limits) {
    START_FIXTURE(server, 1, R"({"max_header_size": 1024, "max_body_size": 1024, "header_timeout": 0.5})");
    // Request line too long: 400 (evhttp reports header overflow as a bad request; see http_server.hpp).
    auto r = server.request(get("/hello?" + std::string(4000, 'a')));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    // Headers too long.
    r = server.request(get("/hello", "X-Big: " + std::string(4000, 'b') + "\r\n"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_TRUE(r->closes());
    // Body too long (Content-Length).
    r = server.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'c'));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    // Body too long (chunked).
    r = server.request("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" +
                       std::string(4096, 'c') + "\r\n0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    // A body within the limit still works.
    r = server.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'd'));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    // Malformed.
    r = server.request("GARBAGE\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    r = server.request("GET /hello HTTP/9.9\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    r = server.request("GET /hello HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    // Unknown method: 501 from evhttp.
    r = server.request("PROPFIND /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 501);

    // Slow client: headers not complete within header_timeout → 408, then closed.
    {
        Client c(server.port());
        const auto start = Clock::now();
        ASSERT_TRUE(c.send("GET /hello HTTP/1.1\r\nHost: x\r\n"));
        r = c.read_response(5s);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 408);
        EXPECT_GE(Clock::now() - start, 400ms);
        EXPECT_TRUE(c.closed_within(5s));
    }
    // A client dripping a byte every 100 ms is not saved by its activity: the deadline holds.
    {
        Client c(server.port());
        const auto start = Clock::now();
        const std::string head = "GET /hello HTTP/1.1\r\nHost: x\r\nX-Drip: ";
        ASSERT_TRUE(c.send(head));
        bool answered = false;
        for (int i = 0; i < 40 && !answered; ++i) {
            if (!c.send("z")) break;  // the server may have closed already
            answered = c.readable_within(100ms);
        }
        r = c.read_response(2s);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 408);
        EXPECT_LT(Clock::now() - start, 3s);
    }
    // The server is fine after all of that.
    r = server.request(get("/hello"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello\n");
}

TEST(Http, AClientThatDoesNotReadIsCutOffNotBuffered) {
    START_FIXTURE(server, 1, "{}");
    Client c(server.port());
    ASSERT_TRUE(c.send(get("/flood")));  // and never read the answer
    auto line = server.ripple().wait_for(Stream::Out, "FLOOD wrote ", Seconds(20));
    ASSERT_TRUE(line) << server.ripple().out();
    const long chunks = std::atol(line->c_str() + line->find("FLOOD wrote ") + 12);
    EXPECT_LT(chunks, 3200) << "write() never reported the client as gone";
    EXPECT_GT(chunks, 100);
    // The worker keeps serving.
    Client other(server.port());
    ASSERT_TRUE(other.send(get("/hello")));
    auto r = other.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST(Http, AmbiguousFramingIsRejected) {
    START_FIXTURE(server, 1, "{}");
    struct Case {
        const char* what;
        std::string request;
        int status;
    };
    const Case cases[] = {
        {"space before the colon (smuggling)",
         "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
         400},
        {"two Content-Length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde", 400},
        {"HTTP/1.1 without Host", "GET /hello HTTP/1.1\r\n\r\n", 400},
        {"two Host", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"header name not a token", "GET /hello HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n", 400},
        {"HTTP/1.2", "GET /hello HTTP/1.2\r\nHost: x\r\n\r\n", 505},
    };
    for (const auto& c : cases) {
        auto r = server.request(c.request);
        ASSERT_TRUE(r) << c.what;
        EXPECT_EQ(r->status, c.status) << c.what;
        EXPECT_TRUE(r->closes()) << c.what;
    }
    // HTTP/1.0 needs no Host.
    auto ok = server.request("GET /hello HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
}

TEST(Http, ConnectionCap) {
    START_FIXTURE(server, 1, R"({"max_connections": 2})");
    auto a = std::make_unique<Client>(server.port());
    Client b(server.port());
    for (Client* c : {a.get(), &b}) {
        ASSERT_TRUE(c->send(get("/hello")));
        auto r = c->read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
    }
    // The third connection waits in the backlog: nothing is answered while two are open.
    Client c(server.port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(get("/hello")));
    EXPECT_FALSE(c.readable_within(300ms)) << "answered beyond max_connections";
    a.reset();  // one slot frees up
    auto r = c.read_response(5s);
    ASSERT_TRUE(r) << "the waiting connection was not served once below the cap";
    EXPECT_EQ(r->body, "hello\n");
}

TEST(Http, HandlerExceptionIs500AndTheWorkerGoesOn) {
    START_FIXTURE(server);
    Client c(server.port());
    ASSERT_TRUE(c.send(get("/throw")));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_EQ(r->body, "Internal Server Error\n");
    EXPECT_FALSE(r->header("X-Lost")) << "headers set before the exception are not sent with the 500";
    // Same connection, next request.
    ASSERT_TRUE(c.send(get("/hello")));
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello\n");
    EXPECT_TRUE(server.ripple().wait_for(Stream::Err, "fixture boom", 5s)) << server.ripple().err();
    EXPECT_TRUE(server.ripple().wait_for(Stream::Err, "RuntimeException", 5s));

    // Thrown after the head went out: the response is cut short (no final chunk), the connection closed.
    Client d(server.port());
    ASSERT_TRUE(d.send(get("/throw-after-write")));
    const std::string raw = d.read_all(5s);
    EXPECT_NE(raw.find("200 OK"), std::string::npos) << raw;
    EXPECT_NE(raw.find("partial"), std::string::npos) << raw;
    EXPECT_EQ(raw.find("\r\n0\r\n\r\n"), std::string::npos) << "a truncated response must not look complete";
    r = server.request(get("/hello"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(server.ripple().count(Stream::Err, "exited"), 0u) << server.ripple().err();
}

TEST(Http, ReloadUnderLoadFailsNoRequest) {
    START_FIXTURE(server, 2);
    const auto initial = server.ripple().children();
    ASSERT_EQ(initial.size(), 2u);

    std::atomic<bool> stop{false};
    std::atomic<int> ok{0};
    std::mutex mutex;
    std::vector<std::string> failures;
    std::set<int> pids;
    auto fail = [&](const std::string& what) {
        std::lock_guard<std::mutex> lock(mutex);
        failures.push_back(what);
    };
    auto client_loop = [&] {
        std::unique_ptr<Client> c;
        while (!stop.load()) {
            if (!c) {
                c = std::make_unique<Client>(server.port());
                if (!c->connected()) {
                    fail("connect");
                    c.reset();
                    continue;
                }
            }
            if (!c->send(get("/pid"))) {
                fail("send");
                c.reset();
                continue;
            }
            auto r = c->read_response(5s);
            if (!r) {
                fail("no response");
                c.reset();
                continue;
            }
            if (r->status != 200) fail("status " + std::to_string(r->status));
            else ++ok;
            {
                std::lock_guard<std::mutex> lock(mutex);
                pids.insert(std::atoi(r->body.c_str()));
            }
            if (r->closes()) c.reset();  // the server drains this connection: reconnect
        }
    };
    // ~1.2 s of keep-alive load; a reload a third of the way in, a second one once it is done.
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back(client_loop);
    ASSERT_TRUE(e2e::eventually([&] { return ok.load() > 200 && Clock::now() - start > 300ms; }, 10s));
    std::size_t mark = server.ripple().lines(Stream::Err).size();
    server.ripple().signal(SIGHUP);
    bool reloaded = server.ripple().wait_for(Stream::Err, "reload of http complete", 15s, mark).has_value();
    mark = server.ripple().lines(Stream::Err).size();
    server.ripple().signal(SIGHUP);
    reloaded = reloaded && server.ripple().wait_for(Stream::Err, "reload of http complete", 15s, mark).has_value();
    // Keep the load on while the old processes drain and exit.
    const bool old_gone = e2e::eventually(
        [&] {
            for (pid_t p : initial) {
                if (e2e::alive(p)) return false;
            }
            return true;
        },
        15s);
    const int before_end = ok.load();
    ASSERT_TRUE(e2e::eventually(
        [&] { return ok.load() > before_end + 200 && Clock::now() - start > 1200ms; }, 10s));
    stop = true;
    for (auto& t : threads) t.join();

    EXPECT_TRUE(reloaded) << server.ripple().err();
    EXPECT_TRUE(old_gone) << "the old workers did not exit after the reload";
    EXPECT_TRUE(failures.empty()) << failures.size() << " failed request(s), first: " << failures.front();
    EXPECT_GT(ok.load(), 400);
    const auto from_initial = std::count_if(pids.begin(), pids.end(), [&](int p) {
        return std::find(initial.begin(), initial.end(), p) != initial.end();
    });
    EXPECT_GE(from_initial, 1) << "no answer from the processes before the reload";
    EXPECT_GE(static_cast<long>(pids.size()) - from_initial, 1) << "no answer from the processes after the reload";
    for (pid_t p : initial) {
        EXPECT_TRUE(server.ripple().wait_for(Stream::Err, "pid " + std::to_string(p) + " exited with exit status 0", 10s))
            << "old worker " << p << " did not end cleanly\n"
            << server.ripple().err();
    }
}

TEST(Http, ReloadFinishesTheRequestInFlight) {
    START_FIXTURE(server, 1);
    const auto initial = server.ripple().children();
    ASSERT_EQ(initial.size(), 1u);
    Client c(server.port());
    ASSERT_TRUE(c.send(get("/slow?ms=800")));
    ASSERT_TRUE(server.ripple().wait_for(Stream::Err, "SLOW-START " + std::to_string(initial[0]), 10s))
        << server.ripple().err();
    server.ripple().signal(SIGHUP);
    auto r = c.read_response(10s);
    ASSERT_TRUE(r) << server.ripple().err();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "slow " + std::to_string(initial[0]) + "\n");
    // The reload notice was read after the handler returned: the response went out as
    // keep-alive, and the now idle connection is closed after drain_timeout (1 s).
    EXPECT_TRUE(c.closed_within(5s)) << "the draining worker did not close the idle connection";
    EXPECT_TRUE(server.ripple().wait_for(Stream::Err, "pid " + std::to_string(initial[0]) + " exited with exit status 0",
                                         10s))
        << server.ripple().err();
    // And the replacement serves.
    auto after = server.request(get("/pid"));
    ASSERT_TRUE(after);
    EXPECT_NE(after->body, std::to_string(initial[0]) + "\n");
}

TEST(Http, ConstructorAndListenErrors) {
    e2e::Ripple ripple({e2e::source_path("tests-php/fixtures/http_errors.php")});
    ASSERT_TRUE(ripple.wait_for(Stream::Out, "DONE", 15s)) << ripple.out() << ripple.err();
    const std::string out = ripple.out();
    EXPECT_NE(out.find("Psc\\Http\\HttpException: cannot listen on http://127.0.0.1:"), std::string::npos) << out;
    EXPECT_NE(out.find("Address already in use"), std::string::npos) << out;
    EXPECT_NE(out.find("ValueError: Psc\\Http\\Server::__construct(): Argument #1 ($address) must look like "
                       "http://HOST:PORT"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("must have a port (http://HOST:PORT)"), std::string::npos) << out;
    EXPECT_NE(out.find("must have a port from 0 to 65535"), std::string::npos) << out;
    EXPECT_NE(out.find("with no path, query or user"), std::string::npos) << out;
    EXPECT_NE(out.find("unknown option \"max_body_sise\""), std::string::npos) << out;
    EXPECT_NE(out.find("option \"header_timeout\" must be a number of seconds > 0"), std::string::npos) << out;
    EXPECT_NE(out.find("set a handler with onRequest() first"), std::string::npos) << out;
    EXPECT_EQ(ripple.exit_code(10s), 0);
}

TEST(HttpExamples, HelloAndApp) {
    {
        const int port = e2e::free_port();
        e2e::Options o;
        o.args = {e2e::source_path("examples/http-hello.php")};
        o.env = {{"HTTP_LISTEN", "127.0.0.1:" + std::to_string(port)}, {"HTTP_WORKERS", "2"}};
        e2e::Ripple ripple(o);
        ASSERT_TRUE(ripple.wait_ready(2, 15s)) << ripple.err();
        Client c(port);
        ASSERT_TRUE(c.send(get("/")));
        auto r = c.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->body, "hello\n");
    }
    {
        const int port = e2e::free_port();
        e2e::Options o;
        o.args = {e2e::source_path("examples/http-app.php")};
        o.env = {{"HTTP_LISTEN", "127.0.0.1:" + std::to_string(port)}, {"HTTP_WORKERS", "2"}};
        e2e::Ripple ripple(o);
        ASSERT_TRUE(ripple.wait_ready(2, 15s)) << ripple.err();
        Client c(port);
        const std::string body = R"({"by": 7})";
        ASSERT_TRUE(c.send("POST /counter HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\n\r\n" + body));
        auto r = c.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 202) << r->body;
        // Both processes apply the broadcast: every fresh connection (whichever process takes it) sees 7.
        const auto sees_seven = [&] {
            for (int i = 0; i < 6; ++i) {
                Client d(port);
                if (!d.send(get("/counter", "Connection: close\r\n"))) return false;
                auto answer = d.read_response();
                if (!answer || answer->body.find("\"counter\": 7") == std::string::npos) return false;
            }
            return true;
        };
        EXPECT_TRUE(e2e::eventually(sees_seven, 10s));
        ASSERT_TRUE(c.send(get("/nowhere")));
        r = c.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 404);
        EXPECT_EQ(r->header("Content-Type"), "application/json");
    }
}
