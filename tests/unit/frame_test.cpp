// The frame codec of the manager <-> worker channels: any split, any
// coalescing, and every malformed header ends in Error.
#include "ipc/frame.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using ripple::ipc::encode_frame;
using ripple::ipc::Frame;
using ripple::ipc::FrameDecoder;
using ripple::ipc::FrameType;

namespace {

struct Expected {
    FrameType type;
    std::uint8_t flags;
    std::string target;
    std::string payload;
};

std::vector<Expected> sample_frames() {
    std::string binary;
    for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
    return {
        {FrameType::Ready, 0, "", ""},
        {FrameType::CommandToService, 1, "chat", "a:2:{s:4:\"name\";s:4:\"ping\";}"},
        {FrameType::CommandToAll, 0, "", std::string(70000, 'x')},
        {FrameType::Deliver, 7, std::string(255, 't'), binary},
        {FrameType::Reload, 0, "", ""},
        {FrameType::Stop, 255, "svc", std::string("\0\xA7\x01", 3)},
    };
}

std::string encode_all(const std::vector<Expected>& frames) {
    std::string out;
    for (const auto& f : frames) encode_frame(out, f.type, f.flags, f.target, f.payload);
    return out;
}

// Feeds `wire` in chunks of the given sizes (cycled) and collects every frame.
std::vector<Frame> decode_in_chunks(const std::string& wire, const std::vector<std::size_t>& sizes) {
    FrameDecoder dec;
    std::vector<Frame> got;
    std::size_t pos = 0;
    std::size_t k = 0;
    while (pos < wire.size()) {
        const std::size_t n = std::min(sizes[k++ % sizes.size()], wire.size() - pos);
        dec.feed(wire.data() + pos, n);
        pos += n;
        Frame f;
        FrameDecoder::Status st;
        while ((st = dec.next(f)) == FrameDecoder::Status::Frame) got.push_back(f);
        EXPECT_EQ(st, FrameDecoder::Status::NeedMore) << dec.error();
    }
    EXPECT_EQ(dec.buffered(), 0u);
    return got;
}

void expect_same(const std::vector<Expected>& want, const std::vector<Frame>& got) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].type, want[i].type) << "frame " << i;
        EXPECT_EQ(got[i].flags, want[i].flags) << "frame " << i;
        EXPECT_EQ(got[i].target, want[i].target) << "frame " << i;
        EXPECT_EQ(got[i].payload, want[i].payload) << "frame " << i;
    }
}

std::string header(std::uint8_t magic, std::uint8_t type, std::uint8_t flags, std::uint8_t target_len,
                   std::uint32_t payload_len) {
    std::string h;
    h.push_back(static_cast<char>(magic));
    h.push_back(static_cast<char>(type));
    h.push_back(static_cast<char>(flags));
    h.push_back(static_cast<char>(target_len));
    for (int i = 0; i < 4; ++i) h.push_back(static_cast<char>((payload_len >> (8 * i)) & 0xff));
    return h;
}

}  // namespace

TEST(Frame, EncodesTheDocumentedLittleEndianHeader) {
    std::string out;
    encode_frame(out, FrameType::CommandToService, 3, "ab", std::string(0x010203, 'p'));
    ASSERT_EQ(out.size(), ripple::ipc::kHeaderSize + 2 + 0x010203);
    EXPECT_EQ(static_cast<unsigned char>(out[0]), ripple::ipc::kFrameMagic);
    EXPECT_EQ(out[1], 2);
    EXPECT_EQ(out[2], 3);
    EXPECT_EQ(out[3], 2);
    EXPECT_EQ(static_cast<unsigned char>(out[4]), 0x03);
    EXPECT_EQ(static_cast<unsigned char>(out[5]), 0x02);
    EXPECT_EQ(static_cast<unsigned char>(out[6]), 0x01);
    EXPECT_EQ(static_cast<unsigned char>(out[7]), 0x00);
    EXPECT_EQ(out.substr(8, 2), "ab");
}

TEST(Frame, KnownTypes) {
    EXPECT_FALSE(ripple::ipc::is_known_type(0));
    for (int t = 1; t <= 6; ++t) EXPECT_TRUE(ripple::ipc::is_known_type(static_cast<std::uint8_t>(t)));
    EXPECT_FALSE(ripple::ipc::is_known_type(7));
    EXPECT_FALSE(ripple::ipc::is_known_type(255));
}

TEST(Frame, WholeStreamCoalescedInOneFeed) {
    const auto frames = sample_frames();
    const std::string wire = encode_all(frames);
    expect_same(frames, decode_in_chunks(wire, {wire.size()}));
}

TEST(Frame, ByteByByte) {
    const auto frames = sample_frames();
    expect_same(frames, decode_in_chunks(encode_all(frames), {1}));
}

TEST(Frame, SplitsAtEveryHeaderOffset) {
    // Chunk sizes that cut headers and targets at every possible place.
    const auto frames = sample_frames();
    const std::string wire = encode_all(frames);
    for (std::size_t first = 1; first <= ripple::ipc::kHeaderSize + 3; ++first) {
        expect_same(frames, decode_in_chunks(wire, {first, 3, 5, 7, 4096}));
    }
}

TEST(Frame, RandomSplits) {
    const auto frames = sample_frames();
    const std::string wire = encode_all(frames) + encode_all(frames) + encode_all(frames);
    std::vector<Expected> want;
    for (int i = 0; i < 3; ++i) want.insert(want.end(), frames.begin(), frames.end());
    std::mt19937 rng(12345);
    for (int round = 0; round < 50; ++round) {
        std::vector<std::size_t> sizes;
        for (int i = 0; i < 64; ++i) sizes.push_back(1 + rng() % 9000);
        expect_same(want, decode_in_chunks(wire, sizes));
    }
}

TEST(Frame, ManySmallFramesKeepTheBufferBounded) {
    // 200k frames fed in big batches: consumed bytes must be dropped.
    FrameDecoder dec;
    std::string batch;
    for (int i = 0; i < 1000; ++i) encode_frame(batch, FrameType::Deliver, 0, "w#0", "payload-" + std::to_string(i));
    std::size_t count = 0;
    for (int round = 0; round < 200; ++round) {
        dec.feed(batch.data(), batch.size());
        Frame f;
        while (dec.next(f) == FrameDecoder::Status::Frame) {
            ASSERT_EQ(f.payload, "payload-" + std::to_string(count % 1000));
            ++count;
        }
        ASSERT_EQ(dec.buffered(), 0u);
    }
    EXPECT_EQ(count, 200000u);
}

TEST(Frame, NeedMoreOnPartialHeaderAndBody) {
    std::string wire;
    encode_frame(wire, FrameType::Deliver, 0, "tag", "hello");
    FrameDecoder dec;
    Frame f;
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::NeedMore);
    dec.feed(wire.data(), 5);
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::NeedMore);
    dec.feed(wire.data() + 5, wire.size() - 6);
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::NeedMore);
    dec.feed(wire.data() + wire.size() - 1, 1);
    ASSERT_EQ(dec.next(f), FrameDecoder::Status::Frame);
    EXPECT_EQ(f.target, "tag");
    EXPECT_EQ(f.payload, "hello");
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::NeedMore);
}

TEST(Frame, PayloadAtTheLimitIsAccepted) {
    FrameDecoder dec(1000);
    std::string wire;
    encode_frame(wire, FrameType::CommandToAll, 0, "", std::string(1000, 'a'));
    dec.feed(wire.data(), wire.size());
    Frame f;
    ASSERT_EQ(dec.next(f), FrameDecoder::Status::Frame) << dec.error();
    EXPECT_EQ(f.payload.size(), 1000u);
}

TEST(Frame, OversizePayloadIsAnErrorFromTheHeaderAlone) {
    FrameDecoder dec(1000);
    // Only the header: the decoder must not wait for (or buffer) the announced body.
    const std::string h = header(ripple::ipc::kFrameMagic, 2, 0, 0, 1001);
    dec.feed(h.data(), h.size());
    Frame f;
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::Error);
    EXPECT_NE(dec.error().find("1001"), std::string::npos) << dec.error();
}

TEST(Frame, DefaultLimitIs16MiB) {
    FrameDecoder dec;
    const std::string h = header(ripple::ipc::kFrameMagic, 2, 0, 0, 16u * 1024 * 1024 + 1);
    dec.feed(h.data(), h.size());
    Frame f;
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::Error);
    FrameDecoder dec2;
    const std::string h2 = header(ripple::ipc::kFrameMagic, 2, 0, 0, 0xFFFFFFFFu);
    dec2.feed(h2.data(), h2.size());
    EXPECT_EQ(dec2.next(f), FrameDecoder::Status::Error);
}

TEST(Frame, GarbageMagicIsAnError) {
    FrameDecoder dec;
    const std::string garbage = "GET / HTTP/1.1\r\n\r\n";
    dec.feed(garbage.data(), garbage.size());
    Frame f;
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::Error);
    EXPECT_FALSE(dec.error().empty());
}

TEST(Frame, UnknownTypeIsAnError) {
    for (std::uint8_t type : {std::uint8_t{0}, std::uint8_t{7}, std::uint8_t{200}}) {
        FrameDecoder dec;
        const std::string h = header(ripple::ipc::kFrameMagic, type, 0, 0, 0);
        dec.feed(h.data(), h.size());
        Frame f;
        EXPECT_EQ(dec.next(f), FrameDecoder::Status::Error) << "type " << int(type);
        EXPECT_NE(dec.error().find(std::to_string(type)), std::string::npos) << dec.error();
    }
}

TEST(Frame, ErrorAfterGoodFramesAndStaysAnError) {
    std::string wire;
    encode_frame(wire, FrameType::Ready, 0, "", "");
    wire += header(0x00, 1, 0, 0, 0);
    encode_frame(wire, FrameType::Ready, 0, "", "");
    FrameDecoder dec;
    dec.feed(wire.data(), wire.size());
    Frame f;
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::Frame);
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::Error);
    // The stream is unusable: even a valid frame fed afterwards is not decoded.
    std::string good;
    encode_frame(good, FrameType::Ready, 0, "", "");
    dec.feed(good.data(), good.size());
    EXPECT_EQ(dec.next(f), FrameDecoder::Status::Error);
}
