// Tables that districts keep in spreadsheets, as CSV: a header row naming the
// columns (case-insensitive), commas between fields, double quotes around
// fields that hold commas ("" for a quote). Pure.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace ankommen {

struct CsvRow {
  int line = 0;  // 1-based; the header is line 1
  std::vector<std::string> fields;
};

struct CsvTable {
  std::map<std::string, size_t> columns;  // lower-case name -> index
  std::vector<CsvRow> rows;               // blank lines skipped

  // The row's field in the named column, trimmed; "" when absent.
  std::string Get(const CsvRow& row, const std::string& column) const;
  // The names of the required columns the header lacks.
  std::vector<std::string> Missing(std::initializer_list<const char*> required) const;
};

CsvTable ParseCsv(const std::string& text);

}  // namespace ankommen
