// One HTTP request and its response (Exchange), as the HttpServer hands it to
// a handler, and HttpError for misuse of a response. Included by
// http_server.hpp; the server side is there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct evhttp_request;

namespace ripple::http {

// Misuse of a response: a header after the headers went out, write() after end().
class HttpError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

class HttpServer;
struct Connection;

// One request and its response. Shared by whoever handles it; when the last
// owner lets go of an unfinished response, it is ended (as it stands).
// The request stays readable after the response is sent: what is needed is
// copied out of evhttp before evhttp frees its request.
class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    // Bytes of a streamed response waiting for a slow client before write() gives up on it.
    static constexpr std::size_t kMaxQueuedOutput = 64u * 1024u * 1024u;

    ~Exchange();
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    // --- the request
    std::string_view method() const { return method_; }
    std::string_view target() const;  // the raw request-target: "/a/b?x=1"
    std::string_view path() const;    // the target's path, not decoded: "/a/b"
    std::string_view query() const;   // the target's query without "?": "x=1" ("" when absent)
    int version_major() const { return major_; }
    int version_minor() const { return minor_; }
    // Header fields in arrival order, names as sent.
    std::vector<std::pair<std::string_view, std::string_view>> headers() const;
    // Case-insensitive; repeated fields joined with ", ".
    std::optional<std::string> header(std::string_view name) const;
    std::size_t body_size() const;
    std::size_t copy_body(char* out, std::size_t capacity) const;
    std::string body() const;
    const std::string& client_address() const { return client_address_; }
    std::uint16_t client_port() const { return client_port_; }

    // --- the response
    int status() const { return status_; }
    // Throws std::invalid_argument for a code outside 200..999 or a reason with
    // control characters, HttpError once the headers are sent.
    void set_status(int code, std::string_view reason = {});
    // Throw std::invalid_argument for a name that is not an HTTP token, a value
    // with CR, LF or NUL, or Transfer-Encoding (the server frames the body);
    // HttpError once the headers are sent.
    void set_header(std::string_view name, std::string_view value);
    void add_header(std::string_view name, std::string_view value);
    void remove_header(std::string_view name);
    void clear_headers();  // every header set so far (HttpError once sent)
    // Sends the headers with the first call (chunked for HTTP/1.1 unless a
    // Content-Length was set; close-delimited for HTTP/1.0). False when the
    // client is gone; HttpError after end().
    bool write(std::string_view chunk);
    // Finishes the response (with a Content-Length when nothing was written
    // before). A second end() does nothing.
    void end(std::string_view body = {});
    // Closes the connection without finishing the response (a failure after
    // the headers went out: the client sees a truncated response, not a
    // complete wrong one).
    void abort();
    bool headers_sent() const { return state_ != State::Open; }
    bool ended() const { return ended_; }
    bool client_gone() const { return lost_; }

private:
    friend class HttpServer;
    enum class State { Open, Streaming, Ended, Done };
    struct Snapshot;

    Exchange(HttpServer* server, Connection* conn, evhttp_request* req);
    void require_open(const char* what) const;
    void prepare_head();
    void start_stream();
    bool needs_body() const;
    void snapshot();
    void finish();  // evhttp has sent the response and is about to free its request
    void lose();    // the connection is going away before that

    HttpServer* server_;
    Connection* conn_;
    evhttp_request* req_;
    std::unique_ptr<Snapshot> snap_;
    const char* method_;
    int major_ = 1;
    int minor_ = 1;
    std::string client_address_;
    std::uint16_t client_port_ = 0;
    int status_ = 200;
    std::string reason_;
    State state_ = State::Open;
    bool ended_ = false;
    bool lost_ = false;
};

}  // namespace ripple::http
