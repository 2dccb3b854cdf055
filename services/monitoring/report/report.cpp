#include "report/report.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace ankommen::monitoring {
namespace {

const char* UnitName(Unit unit) {
  switch (unit) {
    case Unit::kShare: return "percent";
    case Unit::kDays: return "days";
    case Unit::kCount: return "count";
    case Unit::kPersonsPerWorker: return "persons_per_worker";
  }
  return "";
}

std::string IsoDate(Day day) { return absl::FormatCivilTime(day); }

// green, amber, red; preliminary for a figure with a target whose windows are still open; empty without a target.
std::string StatusName(const ReportRow& row) {
  if (row.light) return LightName(*row.light);
  return row.target && row.figure.value ? "preliminary" : "";
}

// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string Field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::string Number(double v) {
  return std::abs(v - std::round(v)) < 1e-9 ? absl::StrCat(static_cast<long long>(std::round(v)))
                                             : absl::StrFormat("%.2f", v);
}

}  // namespace

std::string GermanDate(Day day) { return absl::StrFormat("%02d.%02d.%04d", day.day(), day.month(), day.year()); }

std::string FormatValue(const Indicator& indicator, double value) {
  std::string number;
  switch (indicator.unit) {
    case Unit::kShare: number = absl::StrFormat("%.1f", value); break;
    case Unit::kDays: number = absl::StrFormat("%.1f", value); break;
    case Unit::kCount: number = absl::StrFormat("%.0f", value); break;
    case Unit::kPersonsPerWorker: number = absl::StrFormat("%.0f", value); break;
  }
  if (number.size() > 2 && number.substr(number.size() - 2) == ".0") number.resize(number.size() - 2);
  absl::StrReplaceAll({{".", ","}}, &number);
  switch (indicator.unit) {
    case Unit::kShare: return number + " %";
    case Unit::kDays: return number + " Tage";
    case Unit::kCount: return number;
    case Unit::kPersonsPerWorker: return "1:" + number;
  }
  return number;
}

nlohmann::json ReportJson(const ReportHeader& header, const std::vector<ReportRow>& rows) {
  nlohmann::json out;
  out["district"] = header.district;
  out["from"] = IsoDate(header.scope.from);
  out["to"] = IsoDate(header.scope.to);
  out["as_of"] = IsoDate(header.scope.as_of);
  out["social_area"] = header.scope.social_area;
  out["history_from"] = IsoDate(header.history_from);
  out["events"] = header.events;
  out["indicators"] = nlohmann::json::array();
  for (const ReportRow& row : rows) {
    nlohmann::json r;
    r["indicator"] = std::string(row.indicator->id);
    r["field_of_action"] = std::string(row.indicator->field_of_action);
    r["unit"] = UnitName(row.indicator->unit);
    r["definition"] = std::string(row.indicator->definition);
    r["value"] = row.figure.value ? nlohmann::json(*row.figure.value) : nlohmann::json(nullptr);
    r["numerator"] = row.figure.numerator;
    r["denominator"] = row.figure.denominator;
    r["complete"] = row.figure.complete;
    if (row.target) {
      r["target"] = {{"value", row.target->target},
                     {"baseline", row.target->baseline ? nlohmann::json(*row.target->baseline) : nlohmann::json(nullptr)},
                     {"social_area", row.target->social_area},
                     {"from", IsoDate(row.target->from)},
                     {"to", IsoDate(row.target->to)}};
    }
    if (const std::string status = StatusName(row); !status.empty()) r["status"] = status;
    r["trend"] = nlohmann::json::array();
    for (const TrendPoint& p : row.trend) {
      r["trend"].push_back({{"month_end", IsoDate(p.month_end)},
                            {"value", p.value ? nlohmann::json(*p.value) : nlohmann::json(nullptr)}});
    }
    out["indicators"].push_back(std::move(r));
  }
  return out;
}

std::string ReportCsv(const std::vector<ReportRow>& rows) {
  std::string out =
      "indicator,field_of_action,unit,value,numerator,denominator,complete,target,target_from,target_to,status\n";
  for (const ReportRow& row : rows) {
    std::vector<std::string> fields = {std::string(row.indicator->id),
                                       Field(std::string(row.indicator->field_of_action)),
                                       UnitName(row.indicator->unit),
                                       row.figure.value ? Number(*row.figure.value) : "",
                                       absl::StrCat(row.figure.numerator),
                                       absl::StrCat(row.figure.denominator),
                                       row.figure.complete ? "yes" : "no",
                                       row.target ? Number(row.target->target) : "",
                                       row.target ? IsoDate(row.target->from) : "",
                                       row.target ? IsoDate(row.target->to) : "",
                                       StatusName(row)};
    absl::StrAppend(&out, absl::StrJoin(fields, ","), "\n");
  }
  return out;
}

absl::StatusOr<std::string> WriteReportFiles(const ReportHeader& header, const std::vector<ReportRow>& rows,
                                             const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  std::string stem = absl::StrCat("report_", IsoDate(header.scope.from), "_", IsoDate(header.scope.to));
  if (!header.scope.social_area.empty()) absl::StrAppend(&stem, "_", header.scope.social_area);
  const fs::path base = fs::path(dir) / stem;
  auto write_text = [&](const std::string& ext, const std::string& text) -> absl::Status {
    const fs::path path = base.string() + ext, partial = base.string() + ext + ".partial";
    {
      std::ofstream out(partial, std::ios::binary);
      out << text;
      if (!out) return absl::InternalError(absl::StrCat("cannot write ", partial.string()));
    }
    fs::rename(partial, path, ec);
    return ec ? absl::InternalError(absl::StrCat("cannot write ", path.string(), ": ", ec.message())) : absl::OkStatus();
  };
  if (auto s = write_text(".json", ReportJson(header, rows).dump(2) + "\n"); !s.ok()) return s;
  if (auto s = write_text(".csv", ReportCsv(rows)); !s.ok()) return s;
  const std::string pdf = base.string() + ".pdf", partial = pdf + ".partial";
  if (auto s = WriteReportPdf(header, rows, partial); !s.ok()) return s;
  fs::rename(partial, pdf, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot write ", pdf, ": ", ec.message()));
  return pdf;
}

}  // namespace ankommen::monitoring
