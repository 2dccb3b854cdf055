#include "domain/course_types.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ankommen::courses {

CourseTypeTable::CourseTypeTable() {
  auto set = [this](v1::CourseType type, int group_size, int default_seats, int teaching_units) {
    rules_[static_cast<size_t>(type)] = {group_size, default_seats, teaching_units};
  };
  set(v1::COURSE_TYPE_UNSPECIFIED, 25, 25, 0);
  set(v1::COURSE_TYPE_INTEGRATION_GENERAL, 25, 25, 700);
  set(v1::COURSE_TYPE_INTEGRATION_ALPHA, 16, 16, 1000);
  set(v1::COURSE_TYPE_INTEGRATION_PARENTS, 25, 25, 1000);
  set(v1::COURSE_TYPE_INTEGRATION_YOUTH, 25, 20, 1000);
  set(v1::COURSE_TYPE_FIRST_ORIENTATION, 30, 20, 300);
  set(v1::COURSE_TYPE_JOB_LANGUAGE, 25, 25, 500);
  set(v1::COURSE_TYPE_VOLUNTEER, 40, 15, 0);
  set(v1::COURSE_TYPE_INTEGRATION_INTENSIVE, 25, 25, 500);
  set(v1::COURSE_TYPE_INTEGRATION_SECOND_SCRIPT, 16, 16, 1000);
}

const CourseTypeRules& CourseTypeTable::Of(v1::CourseType type) const {
  const auto i = static_cast<size_t>(type);
  return rules_[i < rules_.size() ? i : 0];
}

absl::Status CourseTypeTable::SetGroupSizes(const std::string& spec) {
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    v1::CourseType type = v1::COURSE_TYPE_UNSPECIFIED;
    const std::string name = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(kv.first));
    if (!v1::CourseType_Parse(absl::StrCat("COURSE_TYPE_", name), &type) || type == v1::COURSE_TYPE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("group sizes: \"", item, "\": unknown course type (e.g. integration_alpha=16)"));
    }
    int size = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(kv.second), &size) || size < 1 || size > 60) {
      return absl::InvalidArgumentError(absl::StrCat("group sizes: \"", item, "\": the size must be from 1 to 60"));
    }
    CourseTypeRules& r = rules_[static_cast<size_t>(type)];
    r.group_size = size;
    r.default_seats = std::min(r.default_seats, size);
  }
  return absl::OkStatus();
}

}  // namespace ankommen::courses
