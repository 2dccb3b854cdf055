#include "text/csv.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace ankommen {
namespace {

std::vector<std::string> SplitLine(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  for (auto& f : fields) f = std::string(absl::StripAsciiWhitespace(f));
  return fields;
}

}  // namespace

std::string CsvTable::Get(const CsvRow& row, const std::string& column) const {
  auto it = columns.find(column);
  return it != columns.end() && it->second < row.fields.size() ? row.fields[it->second] : "";
}

std::vector<std::string> CsvTable::Missing(std::initializer_list<const char*> required) const {
  std::vector<std::string> missing;
  for (const char* name : required) {
    if (!columns.contains(name)) missing.push_back(name);
  }
  return missing;
}

CsvTable ParseCsv(const std::string& text) {
  CsvTable table;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string line = lines[n];
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (n == 0) {
      auto header = SplitLine(line);
      for (size_t i = 0; i < header.size(); ++i) table.columns[absl::AsciiStrToLower(header[i])] = i;
      continue;
    }
    table.rows.push_back({static_cast<int>(n + 1), SplitLine(line)});
  }
  return table;
}

}  // namespace ankommen
