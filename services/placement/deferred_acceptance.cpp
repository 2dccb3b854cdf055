// Student-proposing deferred acceptance (Gale–Shapley) for places where
// families state preferences: each free demand proposes to its next
// preferred place; a place keeps its best demands up to capacity (obliged
// first, then longest wait, then nearest, then id) and rejects the rest. The
// result is stable: no demand and place would both rather have each other,
// and it does not depend on the order in which demands propose.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "internal.h"
#include "solvers.h"

namespace ankommen::placement {
namespace {

// One entry of a demand's list: a place and its distance. Candidate has the
// same two fields, so the lists can be the candidates themselves.
struct Choice {
  int32_t place;
  float km;
};

// Where a demand is in its list: the next entry to propose to, and its end.
struct Cursor {
  uint32_t next = 0, end = 0;
};

// A place's ranking of a demand: priority, then nearest, packed into one
// integer (higher ranks first), so that the common case — a full place
// turning a demand down — is one comparison with the place's threshold.
struct Rank {
  uint64_t key;
  int32_t demand;
};

uint64_t KeyOf(int64_t priority, float km) {
  uint32_t km_bits;
  static_assert(sizeof(km_bits) == sizeof(km));
  std::memcpy(&km_bits, &km, sizeof(km));  // non-negative floats order as their bits
  return (static_cast<uint64_t>(priority) << 32) | (std::numeric_limits<uint32_t>::max() - km_bits);
}

// The matching over lists of Choice or Candidate; returns each place's held demands.
template <typename Entry>
std::vector<std::vector<Rank>> Match(const Problem& problem, const std::vector<int64_t>& priority, const Entry* list,
                                     std::vector<Cursor>& cursor) {
  const size_t n = problem.demands.size();
  // Exact ties on the key are decided by id.
  auto before = [&](const Rank& a, const Rank& b) {
    if (a.key != b.key) return a.key > b.key;
    return problem.demands[static_cast<size_t>(a.demand)].id < problem.demands[static_cast<size_t>(b.demand)].id;
  };
  // Each place holds its best demands in a heap whose top is the worst held;
  // threshold[p] is that worst's key once the place is full (0 until then).
  std::vector<std::vector<Rank>> held(problem.places.size());
  std::vector<uint64_t> threshold(problem.places.size(), 0);
  std::vector<int32_t> room(problem.places.size());
  for (size_t p = 0; p < problem.places.size(); ++p) room[p] = problem.places[p].capacity[kSeat];

  // d proposes down its list until a place keeps it; returns whom that
  // displaced (-1: nobody, or d was turned down everywhere).
  auto propose = [&](int32_t d) -> int32_t {
    Cursor& at = cursor[static_cast<size_t>(d)];
    const uint64_t prio = static_cast<uint64_t>(priority[static_cast<size_t>(d)]);
    for (; at.next < at.end; ++at.next) {
      const Entry& e = list[at.next];
      const auto place = static_cast<size_t>(e.place);
      const Rank r{KeyOf(static_cast<int64_t>(prio), e.km), d};
      if (r.key < threshold[place]) continue;  // full, and everyone held ranks before
      auto& heap = held[place];
      int32_t displaced = -1;
      if (room[place] > 0) {
        --room[place];
        heap.push_back(r);
        std::push_heap(heap.begin(), heap.end(), before);
      } else {
        if (!before(r, heap.front())) continue;
        std::pop_heap(heap.begin(), heap.end(), before);
        displaced = heap.back().demand;
        heap.back() = r;
        std::push_heap(heap.begin(), heap.end(), before);
      }
      if (room[place] <= 0) threshold[place] = heap.front().key;
      ++at.next;
      return displaced;
    }
    return -1;
  };

  // Demands propose in index order; their lists lie in that order, so the
  // memory is read ahead of them. A displaced demand is somewhere else
  // entirely: it waits in a short queue while its cursor and then its next
  // entry are fetched, instead of stalling on both at once. The result does
  // not depend on this order.
  constexpr size_t kQueue = 16, kReady = 8, kAhead = 4;
  std::array<int32_t, kQueue> queue{};
  size_t head = 0, size = 0;
  auto enqueue = [&](int32_t d) {
    __builtin_prefetch(&cursor[static_cast<size_t>(d)]);
    queue[(head + size++) % kQueue] = d;
  };
  size_t first = 0;
  while (first < n || size > 0) {
    int32_t d;
    if (size > kReady || (first >= n && size > 0)) {
      d = queue[head];
      head = (head + 1) % kQueue;
      --size;
      if (size > kAhead) {
        const Cursor& soon = cursor[static_cast<size_t>(queue[(head + kAhead) % kQueue])];
        if (soon.next < soon.end) __builtin_prefetch(&list[soon.next]);
      }
    } else {
      d = static_cast<int32_t>(first++);
    }
    if (int32_t displaced = propose(d); displaced >= 0) enqueue(displaced);
  }
  return held;
}

}  // namespace

absl::StatusOr<Solution> DeferredAcceptanceSolver::Solve(const Problem& problem, SolveTimings* timings) const {
  absl::Time start = absl::Now();
  for (const auto& d : problem.demands) {
    if (d.need != Amounts{1, 0, 0, 0, 0}) {
      return absl::InvalidArgumentError(absl::StrCat("deferred acceptance places one seat per demand; ", d.id, " needs more"));
    }
  }
  if (problem.candidates.size() >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError("deferred acceptance takes fewer than 2^32 candidate pairs");
  }
  const std::vector<int64_t> priority = Priorities(problem);
  auto ranges = internal::CandidateRanges(problem);
  const size_t n = problem.demands.size();
  std::vector<Cursor> cursor(n);
  std::vector<std::vector<Rank>> held;
  const bool stated_any = std::any_of(problem.preferences.begin(), problem.preferences.end(),
                                      [](const auto& prefs) { return !prefs.empty(); });
  if (!stated_any) {
    // Every list is the demand's candidates, nearest first.
    for (size_t d = 0; d < n; ++d) {
      cursor[d] = {static_cast<uint32_t>(ranges[d].first), static_cast<uint32_t>(ranges[d].second)};
    }
    held = Match(problem, priority, problem.candidates.data(), cursor);
  } else {
    // Stated preferences among the candidates; a demand that stated none
    // takes its candidates as they are.
    std::vector<Choice> lists;
    lists.reserve(problem.candidates.size());
    for (size_t d = 0; d < n; ++d) {
      cursor[d].next = static_cast<uint32_t>(lists.size());
      if (d < problem.preferences.size() && !problem.preferences[d].empty()) {
        for (int32_t p : problem.preferences[d]) {
          for (size_t c = ranges[d].first; c < ranges[d].second; ++c) {
            if (problem.candidates[c].place == p) lists.push_back({p, problem.candidates[c].km});
          }
        }
      } else {
        for (size_t c = ranges[d].first; c < ranges[d].second; ++c) {
          lists.push_back({problem.candidates[c].place, problem.candidates[c].km});
        }
      }
      cursor[d].end = static_cast<uint32_t>(lists.size());
    }
    held = Match(problem, priority, lists.data(), cursor);
  }
  absl::Time matched = absl::Now();
  std::vector<int32_t> place_of(n, -1);
  for (size_t p = 0; p < held.size(); ++p) {
    for (const Rank& r : held[p]) place_of[static_cast<size_t>(r.demand)] = static_cast<int32_t>(p);
  }
  Solution s = internal::Finish(problem, MakeObjective(problem), name(), place_of, 0, false);
  if (timings) {
    timings->solve_seconds = absl::ToDoubleSeconds(matched - start);  // the matching alone
    timings->total_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  }
  return s;
}

}  // namespace ankommen::placement
