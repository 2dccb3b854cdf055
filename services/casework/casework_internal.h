// Shared by the files of the casework service's use cases: its metric
// instruments. Labels are programmes, social areas, outcomes and task kinds:
// never a worker or a household.
#pragma once

#include "casework.h"
#include "observability/metrics.h"

namespace ankommen::casework {

struct CaseworkInstruments {
  explicit CaseworkInstruments(prometheus::Registry& r)
      : persons(prometheus::BuildGauge()
                    .Name("ankommen_casework_persons")
                    .Help("Persons looked after by a social worker, by programme (fsa, mbe, jmd) and social area")
                    .Register(r)),
        workers(prometheus::BuildGauge()
                    .Name("ankommen_casework_workers")
                    .Help("Social workers, by programme and social area")
                    .Register(r)),
        persons_per_worker(prometheus::BuildGauge()
                               .Name("ankommen_casework_persons_per_worker")
                               .Help("Caseload: persons looked after per social worker, by programme and social area")
                               .Register(r)),
        target(prometheus::BuildGauge()
                   .Name("ankommen_casework_target_persons_per_worker")
                   .Help("The district's target caseload (ANKOMMEN_CASEWORK_TARGET_PERSONS_PER_WORKER)")
                   .Register(r)),
        unassigned(prometheus::BuildGauge()
                       .Name("ankommen_casework_households_unassigned")
                       .Help("Households no social worker of the responsible programme in their area has room for")
                       .Register(r)),
        tasks_open(prometheus::BuildGauge()
                       .Name("ankommen_casework_tasks_open")
                       .Help("Open hand-over tasks, by kind and whether they are overdue")
                       .Register(r)),
        assignments(prometheus::BuildCounter()
                        .Name("ankommen_casework_assignments_total")
                        .Help("Decisions on a household's casework, by programme and outcome "
                              "(assigned, handed_over, unassigned, ended)")
                        .Register(r)),
        persons_table(persons, {"program", "social_area"}),
        workers_table(workers, {"program", "social_area"}),
        per_worker_table(persons_per_worker, {"program", "social_area"}),
        unassigned_table(unassigned, {"program", "social_area"}),
        tasks_table(tasks_open, {"kind", "overdue"}),
        assignments_vec(assignments, {"program", "outcome"}) {}

  prometheus::Family<prometheus::Gauge>& persons;
  prometheus::Family<prometheus::Gauge>& workers;
  prometheus::Family<prometheus::Gauge>& persons_per_worker;
  prometheus::Family<prometheus::Gauge>& target;
  prometheus::Family<prometheus::Gauge>& unassigned;
  prometheus::Family<prometheus::Gauge>& tasks_open;
  prometheus::Family<prometheus::Counter>& assignments;
  GaugeTable persons_table;
  GaugeTable workers_table;
  GaugeTable per_worker_table;
  GaugeTable unassigned_table;
  GaugeTable tasks_table;
  MetricVec<prometheus::Counter> assignments_vec;
};

}  // namespace ankommen::casework
