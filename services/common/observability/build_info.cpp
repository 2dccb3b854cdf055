#include "observability/build_info.h"

namespace ankommen {

// Defined for this file only, so that a new version rebuilds one file.
const char* Version() { return ANKOMMEN_VERSION; }

}  // namespace ankommen
