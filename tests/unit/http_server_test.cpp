// runtime/http without PHP: address parsing, and an HttpServer on its own
// loop answered by a blocking client thread (serving, holding the loop while
// a response is outstanding, graceful close, the header deadline).
#include "http/http_server.hpp"
#include "http/listen_socket.hpp"
#include "loop/event_loop.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

using ripple::http::Address;
using ripple::http::AddressError;
using ripple::http::Exchange;
using ripple::http::HttpServer;
using ripple::http::ListenSocket;
using ripple::http::ServerOptions;
using ripple::loop::EventLoop;

namespace {

// Sends `request`, reads until the server closes or `timeout_ms` passes.
std::string exchange_bytes(int port, const std::string& request, int timeout_ms = 5000) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return "<connect failed>";
    }
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

// Runs the loop until the client thread is done (a repeat watcher polls the
// flag), then closes the server: its listening hold is what keeps run() going.
void run_until(EventLoop& loop, HttpServer& server, std::atomic<bool>& done) {
    loop.repeat(0.005, [&](const std::string& id) {
        if (done.load()) {
            loop.cancel(id);
            server.close();
        }
    });
    loop.run();
}

}  // namespace

TEST(HttpAddress, Parses) {
    Address a = ripple::http::parse_address("http://127.0.0.1:8080");
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, 8080);
    a = ripple::http::parse_address("http://[::1]:0/");
    EXPECT_EQ(a.host, "::1");
    EXPECT_EQ(a.port, 0);
    a = ripple::http::parse_address("http://localhost:65535");
    EXPECT_EQ(a.host, "localhost");
    EXPECT_EQ(a.port, 65535);
}

TEST(HttpAddress, RejectsMalformed) {
    for (const char* bad : {"127.0.0.1:80", "https://h:80", "http://h", "http://:80", "http://h:", "http://h:65536",
                            "http://h:8o", "http://::1:80", "http://[::1]80", "http://h:80/x", "http://u@h:80"}) {
        EXPECT_THROW(ripple::http::parse_address(bad), AddressError) << bad;
    }
}

TEST(HttpListenSocket, EphemeralPortAndAddressInUse) {
    ListenSocket s = ListenSocket::open(ripple::http::parse_address("http://127.0.0.1:0"));
    EXPECT_GT(s.port(), 0);
    EXPECT_EQ(s.url(), "http://127.0.0.1:" + std::to_string(s.port()));
    EXPECT_THROW(ListenSocket::open(Address{"127.0.0.1", s.port()}), ripple::http::ListenError);
}

TEST(HttpServer, ServesAndReleasesTheLoop) {
    EventLoop loop;
    ListenSocket socket = ListenSocket::open(Address{"127.0.0.1", 0});
    int requests = 0;
    HttpServer server(loop, socket.fd(), ServerOptions{}, [&](const std::shared_ptr<Exchange>& ex) {
        ++requests;
        EXPECT_EQ(ex->method(), "GET");
        EXPECT_EQ(ex->path(), "/a/b");
        EXPECT_EQ(ex->query(), "x=1");
        EXPECT_EQ(ex->header("x-test"), "1, 2");
        ex->set_header("Content-Type", "text/plain");
        ex->end("ok");
    });
    server.listen();
    std::atomic<bool> done{false};
    std::string reply;
    std::thread client([&] {
        reply = exchange_bytes(socket.port(),
                               "GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-Test: 1\r\nx-test: 2\r\nConnection: close\r\n\r\n");
        done = true;
    });
    run_until(loop, server, done);
    client.join();
    EXPECT_EQ(requests, 1);
    EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
    EXPECT_NE(reply.find("Content-Length: 2\r\n"), std::string::npos) << reply;
    EXPECT_EQ(reply.substr(reply.size() - 2), "ok");
    EXPECT_EQ(server.requests_in_flight(), 0u);
    EXPECT_FALSE(loop.has_work());
}

TEST(HttpServer, CloseWaitsForTheResponseInFlight) {
    EventLoop loop;
    ListenSocket socket = ListenSocket::open(Address{"127.0.0.1", 0});
    std::shared_ptr<Exchange> kept;
    HttpServer* srv = nullptr;
    HttpServer server(loop, socket.fd(), ServerOptions{}, [&](const std::shared_ptr<Exchange>& ex) {
        kept = ex;      // answered later, from a timer
        srv->close();   // and the server is asked to wind down meanwhile
        loop.delay(0.2, [&](const std::string&) {
            kept->write("late ");
            kept->end("answer");
            kept.reset();
        });
    });
    srv = &server;
    server.listen();
    std::string reply;
    std::thread client([&] { reply = exchange_bytes(socket.port(), "GET / HTTP/1.1\r\nHost: h\r\n\r\n"); });
    // Nothing but the server keeps this loop going: run() returns once the response is out.
    loop.run();
    client.join();
    EXPECT_TRUE(server.closing());
    EXPECT_EQ(server.connection_count(), 0u);
    EXPECT_NE(reply.find("Transfer-Encoding: chunked"), std::string::npos) << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
    EXPECT_NE(reply.find("late "), std::string::npos) << reply;
    EXPECT_NE(reply.find("answer"), std::string::npos) << reply;
    EXPECT_NE(reply.find("\r\n0\r\n\r\n"), std::string::npos) << reply;
}

TEST(HttpServer, HeaderDeadlineAnswers408) {
    EventLoop loop;
    ListenSocket socket = ListenSocket::open(Address{"127.0.0.1", 0});
    ServerOptions options;
    options.header_timeout = 0.2;
    bool called = false;
    HttpServer server(loop, socket.fd(), options, [&](const std::shared_ptr<Exchange>&) { called = true; });
    server.listen();
    std::atomic<bool> done{false};
    std::string reply;
    std::thread client([&] {
        reply = exchange_bytes(socket.port(), "GET / HTTP/1.1\r\nHost: h\r\n");
        done = true;
    });
    run_until(loop, server, done);
    client.join();
    EXPECT_FALSE(called);
    EXPECT_EQ(reply.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << reply;
    EXPECT_EQ(server.requests_in_flight(), 0u);
}

TEST(HttpServer, ResponseMisuseThrows) {
    EventLoop loop;
    ListenSocket socket = ListenSocket::open(Address{"127.0.0.1", 0});
    std::string errors;
    HttpServer server(loop, socket.fd(), ServerOptions{}, [&](const std::shared_ptr<Exchange>& ex) {
        EXPECT_THROW(ex->set_header("Bad Name", "x"), std::invalid_argument);
        EXPECT_THROW(ex->set_header("X-Ok", "a\r\nInjected: 1"), std::invalid_argument);
        EXPECT_THROW(ex->set_header("Transfer-Encoding", "chunked"), std::invalid_argument);
        EXPECT_THROW(ex->set_status(99), std::invalid_argument);
        ex->write("a");
        EXPECT_THROW(ex->set_header("X-Late", "1"), ripple::http::HttpError);
        EXPECT_THROW(ex->set_status(404), ripple::http::HttpError);
        ex->end("b");
        EXPECT_THROW(ex->write("c"), ripple::http::HttpError);
        EXPECT_NO_THROW(ex->end());  // a second end() does nothing
    });
    server.listen();
    std::atomic<bool> done{false};
    std::string reply;
    std::thread client([&] {
        reply = exchange_bytes(socket.port(), "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        done = true;
    });
    run_until(loop, server, done);
    client.join();
    EXPECT_NE(reply.find("1\r\na\r\n1\r\nb\r\n0\r\n\r\n"), std::string::npos) << reply;
    EXPECT_EQ(reply.find("Injected"), std::string::npos);
}

TEST(HttpServer, ClientGoneWhileTheResponseIsKept) {
    EventLoop loop;
    ListenSocket socket = ListenSocket::open(Address{"127.0.0.1", 0});
    std::shared_ptr<Exchange> kept;
    std::atomic<bool> client_closed{false};
    bool first_write = false, later_write = true;
    std::string target_after;
    HttpServer server(loop, socket.fd(), ServerOptions{}, [&](const std::shared_ptr<Exchange>& ex) { kept = ex; });
    server.listen();
    std::thread client([&] {
        exchange_bytes(socket.port(), "GET /kept?x=1 HTTP/1.1\r\nHost: h\r\n\r\n", 100);  // closes after 100 ms
        client_closed = true;
    });
    loop.repeat(0.01, [&](const std::string& id) {
        if (!kept || !client_closed.load()) return;
        loop.cancel(id);
        first_write = kept->write("into the void");  // queued: evhttp learns of the close while writing
        loop.delay(0.3, [&](const std::string&) {
            later_write = kept->write("again");
            kept->end("bye");
            target_after = std::string(kept->target());  // the request stays readable
            kept.reset();
            server.close();
        });
    });
    loop.run();
    client.join();
    EXPECT_TRUE(first_write);
    EXPECT_FALSE(later_write) << "write() after the client left must say so";
    EXPECT_EQ(target_after, "/kept?x=1");
    EXPECT_EQ(server.connection_count(), 0u);
    EXPECT_EQ(server.requests_in_flight(), 0u);
}

TEST(HttpServer, DestroyedWithAResponseKept) {
    EventLoop loop;
    ListenSocket socket = ListenSocket::open(Address{"127.0.0.1", 0});
    std::shared_ptr<Exchange> kept;
    auto server = std::make_unique<HttpServer>(loop, socket.fd(), ServerOptions{},
                                               [&](const std::shared_ptr<Exchange>& ex) { kept = ex; });
    server->listen();
    std::string reply;
    std::thread client([&] { reply = exchange_bytes(socket.port(), "GET /gone HTTP/1.1\r\nHost: h\r\n\r\n"); });
    loop.repeat(0.01, [&](const std::string& id) {
        if (!kept) return;
        loop.cancel(id);
        server.reset();  // every connection closes at once; the server's holds go with it
    });
    loop.run();
    client.join();
    EXPECT_TRUE(kept->client_gone());
    EXPECT_FALSE(kept->write("x"));
    EXPECT_NO_THROW(kept->end());
    EXPECT_EQ(kept->path(), "/gone");
    EXPECT_EQ(reply, "");
    EXPECT_FALSE(loop.has_work()) << "holds taken for the request were given back";
}
