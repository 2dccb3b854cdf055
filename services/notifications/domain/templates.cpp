#include "domain/templates.h"

#include <algorithm>
#include <regex>
#include <set>

#include <kainjow/mustache.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ankommen::notifications {
namespace {

std::vector<std::string> Placeholders(const std::string& text) {
  // {{name}} and {{{name}}}; not comments ({{! }}), sections ({{# }} {{/ }} {{^ }}) or partials.
  static const std::regex kVariable(R"(\{\{\{?\s*([a-z_][a-z0-9_]*)\s*\}?\}\})");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kVariable); it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1].str());
  }
  return {names.begin(), names.end()};
}

// Messages are plain text, not HTML: values go in as they are.
std::string RenderText(const std::string& text, const Values& values, std::string& error) {
  kainjow::mustache::mustache tmpl(text);
  if (!tmpl.is_valid()) {
    error = tmpl.error_message();
    return "";
  }
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  kainjow::mustache::data data;
  for (const auto& [k, v] : values) data.set(k, v);
  return tmpl.render(data);
}

// In right-to-left text every inserted value — a course title, a date, an
// address, a number — is isolated (U+2068 FIRST STRONG ISOLATE ... U+2069 POP
// DIRECTIONAL ISOLATE), so that its own direction cannot reorder the words
// around it. Isolates and embeddings already in a value are dropped first.
Values Isolated(const Values& values) {
  static const std::regex kBidiControls("\xE2\x80[\xAA-\xAE]|\xE2\x81[\xA6-\xA9]");
  Values out;
  for (const auto& [k, v] : values) out[k] = "\u2068" + std::regex_replace(v, kBidiControls, "") + "\u2069";
  return out;
}

}  // namespace

absl::StatusOr<Template> ParseTemplate(const std::string& kind, const std::string& language, const std::string& text) {
  auto separator = text.find("\n---\n");
  if (separator == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(kind, "/", language, ": no \"---\" line between header and body"));
  }
  Template t;
  t.kind = kind;
  t.language = language;
  t.body = text.substr(separator + 5);
  bool has_direction = false, has_reviewed = false;
  for (absl::string_view line : absl::StrSplit(text.substr(0, separator), '\n')) {
    if (line.empty()) continue;
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
    std::string value(absl::StripAsciiWhitespace(kv.second));
    if (kv.first == "subject") {
      t.subject = value;
    } else if (kv.first == "direction") {
      if (value != "ltr" && value != "rtl") return absl::InvalidArgumentError(absl::StrCat(kind, "/", language, ": direction is ltr or rtl"));
      t.right_to_left = value == "rtl";
      has_direction = true;
    } else if (kv.first == "reviewed") {
      t.reviewed = absl::StartsWith(value, "yes");
      has_reviewed = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(kind, "/", language, ": unknown header \"", kv.first, "\""));
    }
  }
  if (t.subject.empty() || !has_direction || !has_reviewed) {
    return absl::InvalidArgumentError(absl::StrCat(kind, "/", language, ": subject, direction and reviewed are required"));
  }
  for (const std::string* part : {&t.subject, &t.body}) {
    kainjow::mustache::mustache check(*part);
    if (!check.is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(kind, "/", language, ": ", check.error_message()));
    }
  }
  std::vector<std::string> names = Placeholders(t.subject + "\n" + t.body);
  t.placeholders = std::move(names);
  return t;
}

absl::StatusOr<TemplateSet> TemplateSet::Build(std::vector<Template> templates) {
  TemplateSet set;
  for (auto& t : templates) {
    auto key = std::make_pair(t.kind, t.language);
    if (set.templates_.contains(key)) return absl::InvalidArgumentError(absl::StrCat(t.kind, "/", t.language, " twice"));
    set.templates_.emplace(key, std::move(t));
  }
  for (const auto& kind : set.Kinds()) {
    if (set.Find(kind, kFallbackLanguage) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(kind, " has no German template to fall back on"));
    }
  }
  return set;
}

const Template* TemplateSet::Find(const std::string& kind, const std::string& language) const {
  auto it = templates_.find({kind, language});
  return it == templates_.end() ? nullptr : &it->second;
}

std::vector<std::string> TemplateSet::Kinds() const {
  std::set<std::string> kinds;
  for (const auto& [key, t] : templates_) kinds.insert(key.first);
  return {kinds.begin(), kinds.end()};
}

std::vector<std::string> TemplateSet::Languages(const std::string& kind) const {
  std::vector<std::string> out;
  for (const auto& [key, t] : templates_) {
    if (key.first == kind) out.push_back(key.second);
  }
  return out;
}

absl::StatusOr<Rendered> TemplateSet::Render(const std::string& kind, const std::string& language,
                                             const Values& values) const {
  const Template* t = Find(kind, language);
  const bool fell_back = t == nullptr;
  if (t == nullptr) t = Find(kind, kFallbackLanguage);
  if (t == nullptr) return absl::NotFoundError(absl::StrCat("no template for ", kind));
  std::vector<std::string> missing;
  for (const auto& name : t->placeholders) {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) missing.push_back(name);
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(kind, "/", t->language, ": no value for ", absl::StrJoin(missing, ", ")));
  }
  Rendered r;
  r.kind = kind;
  r.language = t->language;
  r.right_to_left = t->right_to_left;
  r.fell_back = fell_back;
  std::string error;
  const Values& inserted = t->right_to_left ? Isolated(values) : values;
  r.subject = RenderText(t->subject, inserted, error);
  r.body = RenderText(t->body, inserted, error);
  if (!error.empty()) return absl::InternalError(absl::StrCat(kind, "/", t->language, ": ", error));
  return r;
}

}  // namespace ankommen::notifications
