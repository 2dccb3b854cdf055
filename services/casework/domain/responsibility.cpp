#include "responsibility.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ankommen::casework {

const char* ProgramName(Program program) {
  switch (program) {
    case Program::kRefugeeSocialWork: return "fsa";
    case Program::kMigrationCounselling: return "mbe";
    case Program::kYouthMigration: return "jmd";
  }
  return "fsa";
}

const char* TaskName(TaskKind kind) {
  switch (kind) {
    case TaskKind::kJobcenterContact: return "jobcenter_contact";
    case TaskKind::kIntroduceNewWorker: return "introduce_new_worker";
  }
  return "";
}

Program Responsible(const Household& h, const Rules& rules) {
  const bool in_procedure = std::any_of(h.members.begin(), h.members.end(),
                                        [](const Member& m) { return m.stage == Stage::kAsylumProcedure; });
  if (in_procedure || (h.in_shared_accommodation && rules.refugee_social_work_while_shared)) {
    return Program::kRefugeeSocialWork;
  }
  // Protection granted: the youth migration services when every adult is young,
  // migration counselling for adults otherwise (a family is looked after as one).
  bool any_adult = false, all_young = true;
  for (const Member& m : h.members) {
    if (m.age_years < 18) continue;
    any_adult = true;
    all_young = all_young && m.age_years < rules.youth_until;
  }
  return any_adult && all_young ? Program::kYouthMigration : Program::kMigrationCounselling;
}

Assignment Assign(const Household& h, const std::vector<Worker>& workers, const std::map<std::string, int>& load,
                  const Rules& rules) {
  Assignment a;
  a.program = Responsible(h, rules);
  a.social_area = h.social_area;
  const int persons = static_cast<int>(h.members.size());
  const Worker* best = nullptr;
  int best_room = 0;
  bool any = false;
  for (const Worker& w : workers) {
    if (w.program != a.program || w.social_area != h.social_area) continue;
    any = true;
    const auto l = load.find(w.worker_id);
    const int room = w.capacity - (l == load.end() ? 0 : l->second);
    if (room < persons) continue;
    if (best == nullptr || room > best_room || (room == best_room && w.worker_id < best->worker_id)) {
      best = &w;
      best_room = room;
    }
  }
  if (best != nullptr) {
    a.worker_id = best->worker_id;
  } else {
    a.why_none = any ? absl::StrCat("every ", ProgramName(a.program), " worker in ", h.social_area, " is full")
                     : absl::StrCat("no ", ProgramName(a.program), " worker in ", h.social_area);
  }
  return a;
}

HandOver Reassess(const Household& before, const Household& after, const Assignment& current,
                  const std::vector<Worker>& workers, const std::map<std::string, int>& load, const Rules& rules) {
  HandOver out;
  // Benefits that passed to SGB II: the Jobcenter takes over the money, and someone must make the contact.
  std::map<std::string, Benefits> was;
  for (const Member& m : before.members) was[m.person_id] = m.benefits;
  for (const Member& m : after.members) {
    const auto it = was.find(m.person_id);
    if (it != was.end() && it->second == Benefits::kAsylblg && m.benefits == Benefits::kSgbII) {
      out.tasks.push_back({TaskKind::kJobcenterContact, m.person_id});
    }
  }
  const Program now = Responsible(after, rules);
  if (now == current.program && after.social_area == current.social_area && current.worker_id) return out;
  // The worker's own load counts the household still; a hand-over within the
  // same programme and area (the worker left, or none had room) may go anywhere.
  std::map<std::string, int> without = load;
  if (current.worker_id) {
    if (auto it = without.find(*current.worker_id); it != without.end()) {
      it->second = std::max(0, it->second - static_cast<int>(before.members.size()));
    }
  }
  out.to = Assign(after, workers, without, rules);
  out.needed = out.to.worker_id != current.worker_id || out.to.program != current.program ||
               out.to.social_area != current.social_area;
  if (out.needed && out.to.worker_id) out.tasks.push_back({TaskKind::kIntroduceNewWorker, ""});
  return out;
}

std::optional<double> PersonsPerWorker(const std::vector<Worker>& workers, const std::map<std::string, int>& load,
                                       Program program, const std::string& social_area) {
  int count = 0;
  long long persons = 0;
  for (const Worker& w : workers) {
    if (w.program != program || (!social_area.empty() && w.social_area != social_area)) continue;
    ++count;
    if (const auto l = load.find(w.worker_id); l != load.end()) persons += l->second;
  }
  if (count == 0) return std::nullopt;
  return static_cast<double>(persons) / count;
}

}  // namespace ankommen::casework
