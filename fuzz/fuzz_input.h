// What a fuzz target makes of its bytes: the first picks a message type, the
// rest is that message in protobuf's wire format (as the gRPC edge receives
// it). Parsing may fail; whatever parses goes through the same validation
// the services run before they touch anything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>

namespace ankommen::fuzz {

// Protobuf logs every string field with invalid UTF-8 it refuses; a fuzzer
// feeds it millions. Quiet, once per program.
inline const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

struct Input {
  uint8_t selector = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

inline bool Split(const uint8_t* data, size_t size, Input& in) {
  if (size < 1) return false;
  in.selector = data[0];
  in.data = data + 1;
  in.size = size - 1;
  return true;
}

// Parses the rest into `message`; false when the bytes are not that message.
inline bool ParseAs(const Input& in, google::protobuf::Message& message) {
  return message.ParseFromArray(in.data, static_cast<int>(in.size));
}

inline std::string Rest(const Input& in) { return std::string(reinterpret_cast<const char*>(in.data), in.size); }

}  // namespace ankommen::fuzz
