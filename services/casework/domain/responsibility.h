// Casework: who looks after a household (DOMAIN.md, "Casework"). While anyone
// of it is in the asylum procedure or it lives in shared accommodation, the
// district's refugee social work (Flüchtlingssozialarbeit, FSA); after
// protection is granted, migration counselling for adults (MBE) or, for young
// people, the youth migration services (JMD) — as the district configures.
// A status change that moves benefits from the AsylbLG to SGB II hands the
// household over with a task for the Jobcenter contact; a move to another
// social area hands it to that area's worker. Pure: plain structs in, plain
// structs out; the service around it (../casework.h) keeps workers and cases
// as records, fed by the registry's and the housing's events.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ankommen::casework {

enum class Program { kRefugeeSocialWork, kMigrationCounselling, kYouthMigration };
const char* ProgramName(Program program);  // fsa, mbe, jmd

enum class Stage { kAsylumProcedure, kProtected, kOther };
enum class Benefits { kNone, kAsylblg, kSgbII, kOther };

struct Member {
  std::string person_id;
  int age_years = 0;
  Stage stage = Stage::kOther;
  Benefits benefits = Benefits::kNone;
};

struct Household {
  std::string household_id;
  std::string social_area;
  bool in_shared_accommodation = false;
  std::vector<Member> members;
};

// The district's choices.
struct Rules {
  // The youth migration services take young people up to this age (JMD: 12 to 27).
  int youth_until = 27;
  // Refugee social work keeps a household in shared accommodation after protection (Meißen does).
  bool refugee_social_work_while_shared = true;
};

// Which programme is responsible for the household now.
Program Responsible(const Household& household, const Rules& rules);

struct Worker {
  std::string worker_id;
  Program program = Program::kRefugeeSocialWork;
  std::string social_area;
  int capacity = 0;  // persons this worker can look after (the district's ratio × their hours)
};

struct Assignment {
  std::optional<std::string> worker_id;  // none: no worker of the programme in the area has room
  Program program = Program::kRefugeeSocialWork;
  std::string social_area;
  std::string why_none;  // when there is no worker: what is missing, for the planners
};

// The worker of the responsible programme in the household's area with the
// most room (capacity less the persons they already look after; `load` by
// worker id), ties by id. None when the area has no such worker with room
// for the household's persons.
Assignment Assign(const Household& household, const std::vector<Worker>& workers,
                  const std::map<std::string, int>& load, const Rules& rules);

enum class TaskKind { kJobcenterContact, kIntroduceNewWorker };
const char* TaskName(TaskKind kind);

struct Task {
  TaskKind kind;
  std::string person_id;  // the member it concerns; empty: the household
};

struct HandOver {
  bool needed = false;  // the responsible programme or area changed
  Assignment to;        // the new assignment, when needed
  std::vector<Task> tasks;
};

// What a change in the household's facts (a status decided, a move, a move
// out of shared accommodation) means for its casework: a hand-over to another
// programme or area, and the tasks it brings — a Jobcenter contact for every
// member whose benefits went from the AsylbLG to SGB II, and the new worker's
// introduction.
HandOver Reassess(const Household& before, const Household& after, const Assignment& current,
                  const std::vector<Worker>& workers, const std::map<std::string, int>& load, const Rules& rules);

// Persons looked after per worker of the programme in the area (all areas
// when empty), for the caseload against the district's target; none without workers.
std::optional<double> PersonsPerWorker(const std::vector<Worker>& workers, const std::map<std::string, int>& load,
                                       Program program, const std::string& social_area = "");

}  // namespace ankommen::casework
