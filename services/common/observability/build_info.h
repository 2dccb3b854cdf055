// Which release a binary is: its version (CMakeLists.txt, project VERSION),
// printed by --version and exported as ankommen_build_info{version} 1.
#pragma once

namespace ankommen {

const char* Version();

}  // namespace ankommen
