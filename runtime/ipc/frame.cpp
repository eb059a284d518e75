#include "ipc/frame.hpp"

#include <fmt/format.h>

namespace ripple::ipc {

bool is_known_type(std::uint8_t type) {
    return type >= static_cast<std::uint8_t>(FrameType::Ready) &&
           type <= static_cast<std::uint8_t>(FrameType::Stop);
}

void encode_frame(std::string& out, FrameType type, std::uint8_t flags, std::string_view target,
                  std::string_view payload) {
    const auto len = static_cast<std::uint32_t>(payload.size());
    const char header[kHeaderSize] = {
        static_cast<char>(kFrameMagic),
        static_cast<char>(type),
        static_cast<char>(flags),
        static_cast<char>(target.size()),
        static_cast<char>(len & 0xff),
        static_cast<char>((len >> 8) & 0xff),
        static_cast<char>((len >> 16) & 0xff),
        static_cast<char>((len >> 24) & 0xff),
    };
    out.append(header, kHeaderSize);
    out.append(target);
    out.append(payload);
}

void FrameDecoder::feed(const char* data, std::size_t size) {
    // Drop consumed bytes before growing, so the buffer stays bounded by one frame.
    if (offset_ > 0 && offset_ == buffer_.size()) {
        buffer_.clear();
        offset_ = 0;
    } else if (offset_ > 65536 && offset_ * 2 > buffer_.size()) {
        buffer_.erase(0, offset_);
        offset_ = 0;
    }
    buffer_.append(data, size);
}

FrameDecoder::Status FrameDecoder::fail(std::string message) {
    error_ = std::move(message);
    return Status::Error;
}

FrameDecoder::Status FrameDecoder::next(Frame& out) {
    if (!error_.empty()) return Status::Error;
    const std::size_t avail = buffer_.size() - offset_;
    if (avail < kHeaderSize) return Status::NeedMore;

    const auto* h = reinterpret_cast<const unsigned char*>(buffer_.data() + offset_);
    if (h[0] != kFrameMagic) return fail(fmt::format("bad frame magic 0x{:02x}", h[0]));
    if (!is_known_type(h[1])) return fail(fmt::format("unknown frame type {}", h[1]));
    const std::size_t target_len = h[3];
    const std::size_t payload_len = static_cast<std::size_t>(h[4]) | (static_cast<std::size_t>(h[5]) << 8) |
                                    (static_cast<std::size_t>(h[6]) << 16) | (static_cast<std::size_t>(h[7]) << 24);
    if (payload_len > max_payload_) {
        return fail(fmt::format("frame payload of {} bytes exceeds the limit of {} bytes", payload_len, max_payload_));
    }
    if (avail < kHeaderSize + target_len + payload_len) return Status::NeedMore;

    const char* p = buffer_.data() + offset_ + kHeaderSize;
    out.type = static_cast<FrameType>(h[1]);
    out.flags = h[2];
    out.target.assign(p, target_len);
    out.payload.assign(p + target_len, payload_len);
    offset_ += kHeaderSize + target_len + payload_len;
    return Status::Frame;
}

}  // namespace ripple::ipc
