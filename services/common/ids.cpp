#include "ids.h"

#include <random>

#include "absl/strings/str_cat.h"

namespace ankommen {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string NewId(std::string_view prefix, int partition) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(prefix);
  id.push_back('_');
  id.push_back(kHex[partition % kPartitions]);
  uint64_t bits = rng();
  for (int i = 0; i < 15; ++i) {
    id.push_back(kHex[bits & 0xF]);
    bits >>= 4;
  }
  return id;
}

bool IsValidId(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 17 || id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '_') {
    return false;
  }
  for (char c : id.substr(prefix.size() + 1)) {
    if (HexValue(c) < 0) return false;
  }
  return true;
}

int PartitionOfId(std::string_view id) {
  auto underscore = id.find('_');
  if (underscore == std::string_view::npos || underscore + 1 >= id.size()) return 0;
  int v = HexValue(id[underscore + 1]);
  return v < 0 ? 0 : v % kPartitions;
}

int PartitionOfKey(std::string_view key) {
  // FNV-1a: stable across runs and builds, unlike std::hash.
  uint32_t h = 2166136261u;
  for (unsigned char c : key) {
    h ^= c;
    h *= 16777619u;
  }
  return static_cast<int>(h % kPartitions);
}

std::string KeySpace::Key(int partition, std::string_view suffix) const {
  return absl::StrCat("ankommen:", service_, ":{", service_, ":p", partition, "}:") + std::string(suffix);
}

std::string KeySpace::Idempotency(int partition, std::string_view scope, std::string_view key) const {
  std::string suffix = "idem:";
  suffix.append(scope).append(":").append(key);
  return Key(partition, suffix);
}

std::string KeySpace::Inbox(int partition, std::string_view consumer, std::string_view event_id) const {
  std::string suffix = "inbox:";
  suffix.append(consumer).append(":").append(event_id);
  return Key(partition, suffix);
}

}  // namespace ankommen
