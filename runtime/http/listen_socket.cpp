#include "http/listen_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace ripple::http {

Address parse_address(std::string_view text) {
    const std::string shown = "\"" + std::string(text) + "\"";
    constexpr std::string_view scheme = "http://";
    if (text.substr(0, scheme.size()) != scheme) {
        throw AddressError("must look like http://HOST:PORT, " + shown + " given");
    }
    std::string_view rest = text.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find_first_of("/?#@ ") != std::string_view::npos) {
        throw AddressError("must be http://HOST:PORT with no path, query or user, " + shown + " given");
    }
    Address out;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
            throw AddressError("must put an IPv6 host in brackets (http://[::1]:PORT), " + shown + " given");
        }
        out.host = std::string(rest.substr(1, close - 1));
        port = rest.substr(close + 2);
    } else {
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) {
            throw AddressError("must have a port (http://HOST:PORT), " + shown + " given");
        }
        out.host = std::string(rest.substr(0, colon));
        port = rest.substr(colon + 1);
        if (out.host.find(':') != std::string::npos) {
            throw AddressError("must put an IPv6 host in brackets (http://[::1]:PORT), " + shown + " given");
        }
    }
    if (out.host.empty()) throw AddressError("must have a host (http://HOST:PORT), " + shown + " given");
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
        throw AddressError("must have a port from 0 to 65535, " + shown + " given");
    }
    out.port = static_cast<std::uint16_t>(value);
    return out;
}

ListenSocket ListenSocket::open(const Address& address, int backlog) {
    const std::string where = "http://" + (address.host.find(':') != std::string::npos ? "[" + address.host + "]"
                                                                                          : address.host) +
                              ":" + std::to_string(address.port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(address.port);
    const int rc = ::getaddrinfo(address.host.c_str(), service.c_str(), &hints, &found);
    if (rc != 0 || found == nullptr) {
        throw ListenError("cannot listen on " + where + ": cannot resolve \"" + address.host + "\": " +
                          (rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc)));
    }
    std::string last_error = "no usable address";
    int fd = -1;
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
        fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        // Inherited by every accepted socket (Linux): without it a keep-alive response
        // over ~16 KiB waits ~40 ms for the client's delayed ACK (Nagle).
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (ai->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, backlog) == 0) break;
        last_error = std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(found);
    if (fd < 0) throw ListenError("cannot listen on " + where + ": " + last_error);

    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    std::uint16_t port = address.port;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
        if (bound.ss_family == AF_INET) port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
        else if (bound.ss_family == AF_INET6) port = ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    }
    return ListenSocket(fd, address.host, port);
}

ListenSocket::ListenSocket(ListenSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), host_(std::move(other.host_)), port_(other.port_) {}

ListenSocket& ListenSocket::operator=(ListenSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        host_ = std::move(other.host_);
        port_ = other.port_;
    }
    return *this;
}

ListenSocket::~ListenSocket() {
    if (fd_ >= 0) ::close(fd_);
}

std::string ListenSocket::url() const {
    const bool v6 = host_.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

}  // namespace ripple::http
