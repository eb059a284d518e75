// The listening socket of an HTTP server: parsed from "http://HOST:PORT" and
// opened in the main process (before the fork) so every worker inherits it
// and the kernel spreads connections over whichever worker accepts first.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ripple::http {

// A malformed address ("ftp://x", "http://host", "http://host:99999").
class AddressError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The OS refused (address in use, unknown host, permission denied).
class ListenError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Address {
    std::string host;  // as written, without IPv6 brackets ("127.0.0.1", "::1", "localhost")
    std::uint16_t port = 0;
};

// "http://HOST:PORT"; HOST is a name, an IPv4 address or a bracketed IPv6
// address; PORT is 0..65535 (0: the kernel picks a free one). A trailing "/"
// is accepted. Throws AddressError.
Address parse_address(std::string_view text);

class ListenSocket {
public:
    // Resolves HOST (numeric first, then the resolver), binds with
    // SO_REUSEADDR and listens with `backlog`; the fd is non-blocking and
    // close-on-exec. Throws ListenError.
    static ListenSocket open(const Address& address, int backlog = 1024);

    ListenSocket(ListenSocket&& other) noexcept;
    ListenSocket& operator=(ListenSocket&& other) noexcept;
    ListenSocket(const ListenSocket&) = delete;
    ListenSocket& operator=(const ListenSocket&) = delete;
    ~ListenSocket();

    int fd() const { return fd_; }
    const std::string& host() const { return host_; }
    std::uint16_t port() const { return port_; }  // the bound port (the kernel's pick for 0)
    std::string url() const;                      // "http://127.0.0.1:8080", "http://[::1]:8080"

private:
    ListenSocket(int fd, std::string host, std::uint16_t port) : fd_(fd), host_(std::move(host)), port_(port) {}
    int fd_ = -1;
    std::string host_;
    std::uint16_t port_ = 0;
};

}  // namespace ripple::http
