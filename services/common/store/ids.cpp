#include "store/ids.h"

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ankommen {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::atomic<bool> derive_ids{false};
std::string* derive_salt = new std::string;  // set once, before any id; never freed (read at exit)
std::atomic<uint64_t> uncaused{0};  // ids minted with no cause open, when derived

struct OpenCause {
  std::string cause;
  uint64_t minted = 0;    // ids minted under it so far
  uint64_t children = 0;  // child causes handed out so far
};
thread_local std::vector<OpenCause> causes;


uint64_t Mix(uint64_t z) {  // splitmix64's finaliser: spreads FNV's low-entropy high bits
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t RandomBits() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

uint64_t DerivedBits(std::string_view prefix) {
  const uint64_t base = Fnv1a64(prefix, Fnv1a64(*derive_salt));
  if (causes.empty()) return Mix(base ^ (0x5bd1e995ull + uncaused.fetch_add(1)));
  OpenCause& open = causes.back();
  return Mix(Fnv1a64(open.cause + "#" + std::to_string(open.minted++), base));
}

std::string MintId(std::string_view prefix, int partition, uint64_t bits) {
  std::string id(prefix);
  id.push_back('_');
  id.push_back(kHex[partition % kPartitions]);
  for (int i = 0; i < 15; ++i) {
    id.push_back(kHex[bits & 0xF]);
    bits >>= 4;
  }
  return id;
}

}  // namespace

void DeriveIds(std::string salt) {
  *derive_salt = std::move(salt);
  derive_ids = true;
}

void DrawIdsAtRandom() { derive_ids = false; }

IdCause::IdCause(std::string cause) { causes.push_back({std::move(cause), 0, 0}); }
IdCause::~IdCause() { causes.pop_back(); }

std::string ChildCause(std::string_view label) {
  if (!derive_ids) return std::string(label);  // random ids: the cause is never read
  if (causes.empty()) {
    // Counted per label, so that calls of one kind (the simulator's, one
    // after the other) are numbered alike however other calls interleave.
    static std::mutex mutex;
    static auto* counts = new std::map<std::string, uint64_t, std::less<>>;
    std::lock_guard lock(mutex);
    auto it = counts->try_emplace(std::string(label), 0).first;
    return std::string(label) + "@" + std::to_string(it->second++);
  }
  OpenCause& open = causes.back();
  return open.cause + "/" + std::string(label) + "#" + std::to_string(open.children++);
}

std::string NewId(std::string_view prefix, int partition) {
  return MintId(prefix, partition, derive_ids ? DerivedBits(prefix) : RandomBits());
}

std::string NewRandomId(std::string_view prefix, int partition) {
  return MintId(prefix, partition, RandomBits());
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

KeySpace::KeySpace(std::string service) : service_(std::move(service)) {
  for (int p = 0; p < kPartitions; ++p) {
    prefixes_.push_back(absl::StrCat("ankommen:", service_, ":{", service_, ":p", p, "}:"));
  }
}

std::string KeySpace::Key(int partition, std::string_view suffix) const { return Key(partition, suffix, {}); }

std::string KeySpace::Key(int partition, std::string_view kind, std::string_view name) const {
  if (partition < 0 || partition >= kPartitions) {
    return absl::StrCat("ankommen:", service_, ":{", service_, ":p", partition, "}:") + std::string(kind) +
           std::string(name);
  }
  const std::string& prefix = prefixes_[static_cast<size_t>(partition)];
  std::string key;
  key.reserve(prefix.size() + kind.size() + name.size());
  key.append(prefix).append(kind).append(name);
  return key;
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

uint64_t Fnv1a64(std::string_view text, uint64_t h) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace ankommen
