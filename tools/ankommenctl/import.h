// `ankommenctl import`: a district's tables from CSV into the services, with a
// progress bar and one line per rejected row saying why. A bad row never stops
// or corrupts the rest, and importing the same file again writes nothing twice
// (each batch or row is sent with an idempotency key derived from its content).
#pragma once

#include <string>

namespace ankommen::ctl {

struct ImportOptions {
  std::string kind;  // schools, kitas, courses, accommodations, mediators, workers (social work's staff list)
  std::string file;
  std::string addr;  // the service's gRPC address
  int batch_rows = 100;
  bool json = false;      // the result as JSON on stdout
  bool progress = true;   // the bar on stderr
};

// 0: every row imported; 3: some rows rejected (listed); 1: the service failed; 2: bad input.
int RunImport(const ImportOptions& options);

}  // namespace ankommen::ctl
