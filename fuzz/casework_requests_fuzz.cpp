// The casework service's workers as the API receives them (convert.h), its
// staff list's rows as ImportWorkers reads them, and a household record made
// from the same bytes decided on by the domain (responsibility.h): the
// programme, the worker with room, and the hand-over a change brings.
#include "records.h"
#include "fuzz_input.h"
#include "responsibility.h"

namespace v1 = ankommen::casework::v1;
using namespace ankommen::casework;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ankommen::fuzz::Input in;
  if (!ankommen::fuzz::Split(data, size, in)) return 0;
  switch (in.selector % 3) {
    case 0: {
      v1::UpsertWorkerRequest r;
      if (ParseAs(in, r)) (void)CheckWorker(r.worker());
      break;
    }
    case 1: {
      v1::ImportWorkersRequest r;
      if (!ParseAs(in, r)) break;
      const ankommen::CsvTable table = ankommen::ParseCsv(r.csv());
      for (const auto& row : table.rows) (void)WorkerRowOf(table, row);
      break;
    }
    default: {
      // A household as stored, before and after a change carried by its tasks' bytes, and the workers it names.
      v1::HouseholdRecord before;
      if (!ParseAs(in, before)) break;
      v1::HouseholdRecord after = before;
      if (before.tasks_size() > 0) after.ParseFromString(before.tasks(0).task_id());
      std::vector<Worker> workers;
      std::map<std::string, int> load;
      for (const auto& t : before.tasks()) {
        v1::Worker w;
        w.set_worker_id(t.worker_id());
        w.set_program(static_cast<v1::Program>(static_cast<int>(t.kind()) % 4));
        w.set_social_area(t.person_id());
        w.set_capacity(static_cast<int>(t.due().seconds() % 1001));
        if (!CheckWorker(w).ok()) continue;
        workers.push_back(WorkerOf(w));
        load[w.worker_id()] = static_cast<int>(t.opened_at().seconds() % 1000);
      }
      const Rules rules;
      const Assignment current = AssignmentOf(before);
      (void)Assign(HouseholdOf(before), workers, load, rules);
      (void)Reassess(HouseholdOf(before), HouseholdOf(after), current, workers, load, rules);
      for (Program p : {Program::kRefugeeSocialWork, Program::kMigrationCounselling, Program::kYouthMigration}) {
        (void)PersonsPerWorker(workers, load, p, before.social_area());
      }
      break;
    }
  }
  return 0;
}
