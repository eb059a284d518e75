// Frame codec for the manager <-> worker channels.
//
// Wire format (little endian), 8-byte header then target then payload:
//   u8 magic (0xA7) | u8 type | u8 flags | u8 target_len | u32 payload_len
//   target_len bytes of routing target (a service name, or the sender's tag)
//   payload_len bytes of payload (a serialized command; never parsed here)
// The manager routes by the header and target alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ripple::ipc {

enum class FrameType : std::uint8_t {
    Ready = 1,             // worker -> manager: boot() returned
    CommandToService = 2,  // worker -> manager: target = service name
    CommandToAll = 3,      // worker -> manager: every process of every service
    Deliver = 4,           // manager -> worker: a command; target = sender tag
    Reload = 5,            // manager -> worker: run onReload() and wind down
    Stop = 6,              // manager -> worker: run onStop() and wind down
};

constexpr std::uint8_t kFrameMagic = 0xA7;
constexpr std::size_t kHeaderSize = 8;
constexpr std::size_t kMaxTargetSize = 255;
constexpr std::size_t kDefaultMaxPayload = 16u * 1024u * 1024u;

struct Frame {
    FrameType type = FrameType::Ready;
    std::uint8_t flags = 0;
    std::string target;
    std::string payload;
};

bool is_known_type(std::uint8_t type);

// Appends one encoded frame to `out`. The caller has checked the sizes
// (target <= kMaxTargetSize, payload <= its limit).
void encode_frame(std::string& out, FrameType type, std::uint8_t flags, std::string_view target,
                  std::string_view payload);

// Incremental decoder: feed bytes as they arrive (any split, any coalescing),
// then take frames until NeedMore. After Error the stream is unusable: the
// caller closes the channel.
class FrameDecoder {
public:
    enum class Status { Frame, NeedMore, Error };

    explicit FrameDecoder(std::size_t max_payload = kDefaultMaxPayload) : max_payload_(max_payload) {}

    void feed(const char* data, std::size_t size);
    Status next(Frame& out);

    const std::string& error() const { return error_; }
    std::size_t buffered() const { return buffer_.size() - offset_; }

private:
    Status fail(std::string message);

    std::size_t max_payload_;
    std::string buffer_;
    std::size_t offset_ = 0;
    std::string error_;
};

}  // namespace ripple::ipc
