// The council's report as an A4 PDF: the cover, then one page per field of
// action with each indicator's definition, its figure against the target, the
// light and the monthly trend as a chart. German, as the council reads it.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "print/text_block.h"
#include "report/report.h"

namespace ankommen::monitoring {
namespace {

using print::Block;
using print::Draw;
using print::Height;
using print::Layout;
using print::Mm;

constexpr double kLeft = Mm(20), kRight = Mm(20), kTop = Mm(20), kBottom = Mm(20);
constexpr double kWidth = print::kA4Width - kLeft - kRight;
constexpr double kChartHeight = Mm(26);

const char* LightDe(Light light) {
  switch (light) {
    case Light::kGreen: return "grün";
    case Light::kAmber: return "gelb";
    case Light::kRed: return "rot";
  }
  return "";
}

void SetLightColour(cairo_t* cr, std::optional<Light> light) {
  if (!light) return cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  switch (*light) {
    case Light::kGreen: return cairo_set_source_rgb(cr, 0.18, 0.55, 0.22);
    case Light::kAmber: return cairo_set_source_rgb(cr, 0.93, 0.62, 0.0);
    case Light::kRed: return cairo_set_source_rgb(cr, 0.78, 0.12, 0.12);
  }
}

const char* kMonthsDe[] = {"Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"};

// The monthly trend: the figure per month as a line, the target dashed.
void Chart(cairo_t* cr, const ReportRow& row, double x, double y, double width, double height) {
  const double label_width = Mm(14), axis_height = Mm(5);
  const double left = x + label_width, bottom = y + height - axis_height, top = y + Mm(1);
  const double plot_width = width - label_width;
  double high = row.indicator->unit == Unit::kShare ? 100 : 0;
  for (const TrendPoint& p : row.trend) high = std::max(high, p.value.value_or(0));
  if (row.target) high = std::max(high, row.target->target);
  if (high <= 0) high = 1;
  high *= row.indicator->unit == Unit::kShare ? 1.0 : 1.15;
  auto Y = [&](double v) { return bottom - (bottom - top) * v / high; };
  const size_t n = row.trend.size();
  auto X = [&](size_t i) {
    return left + plot_width * (n <= 1 ? 0.5 : (static_cast<double>(i) + 0.5) / static_cast<double>(n));
  };

  // Frame and the scale's ends.
  cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
  cairo_set_line_width(cr, 0.5);
  cairo_rectangle(cr, left, top, plot_width, bottom - top);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  Layout top_label = Block(cr, FormatValue(*row.indicator, high), 7, false, label_width - Mm(1));
  Draw(cr, top_label.get(), x, top - Mm(1));
  Layout zero_label = Block(cr, FormatValue(*row.indicator, 0), 7, false, label_width - Mm(1));
  Draw(cr, zero_label.get(), x, bottom - Mm(3));
  const size_t every = n > 13 ? (n + 11) / 12 : 1;
  for (size_t i = 0; i < n; i += every) {
    const Day d = row.trend[i].month_end;
    Layout month = Block(cr, absl::StrCat(kMonthsDe[d.month() - 1], " ", d.year() % 100), 7, false, Mm(14));
    Draw(cr, month.get(), X(i) - Mm(4), bottom + Mm(0.8));
  }
  // The target.
  if (row.target) {
    cairo_set_source_rgb(cr, 0.18, 0.55, 0.22);
    const double dash[] = {3.0, 2.0};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, left, Y(row.target->target));
    cairo_line_to(cr, left + plot_width, Y(row.target->target));
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  // The figure, month by month (a month without anyone to count leaves a gap).
  cairo_set_source_rgb(cr, 0.1, 0.3, 0.6);
  cairo_set_line_width(cr, 1.2);
  bool drawing = false;
  for (size_t i = 0; i < n; ++i) {
    if (!row.trend[i].value) {
      drawing = false;
      continue;
    }
    const double px = X(i), py = Y(*row.trend[i].value);
    if (drawing) cairo_line_to(cr, px, py); else cairo_move_to(cr, px, py);
    drawing = true;
  }
  cairo_stroke(cr);
  for (size_t i = 0; i < n; ++i) {
    if (!row.trend[i].value) continue;
    cairo_new_sub_path(cr);  // no line from the last point to the dot
    cairo_arc(cr, X(i), Y(*row.trend[i].value), 1.4, 0, 2 * M_PI);
    cairo_fill(cr);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
}

std::string TargetText(const ReportRow& row) {
  if (!row.target) return "Soll: kein Ziel gesetzt";
  std::string text = absl::StrCat("Soll: ", FormatValue(*row.indicator, row.target->target), " (",
                                  GermanDate(row.target->from), " bis ", GermanDate(row.target->to), ")");
  if (row.target->baseline) {
    absl::StrAppend(&text, "   Ausgangswert: ", FormatValue(*row.indicator, *row.target->baseline));
  }
  return text;
}

std::string FigureText(const ReportRow& row) {
  if (!row.figure.value) return "Ist: keine Fälle im Zeitraum";
  std::string text = absl::StrCat("Ist: ", FormatValue(*row.indicator, *row.figure.value));
  switch (row.indicator->unit) {
    case Unit::kShare: absl::StrAppend(&text, " (", row.figure.numerator, " von ", row.figure.denominator, ")"); break;
    case Unit::kDays: absl::StrAppend(&text, " (Median aus ", row.figure.denominator, " Kursbeginnen)"); break;
    case Unit::kPersonsPerWorker:
      absl::StrAppend(&text, " (", row.figure.numerator, " Personen, ", row.figure.denominator, " Fachkräfte)");
      break;
    case Unit::kCount: break;
  }
  if (!row.figure.complete) absl::StrAppend(&text, "   vorläufig: Zeitfenster noch nicht abgelaufen");
  return text;
}

}  // namespace

absl::Status WriteReportPdf(const ReportHeader& header, const std::vector<ReportRow>& rows, const std::string& path) {
  auto pdf = print::PdfDocument::Create(path, absl::StrCat("Integrationsmonitoring ", header.district), "the report");
  if (!pdf.ok()) return pdf.status();
  cairo_t* cr = pdf->cr();
  double y = kTop;
  auto place = [&](Layout block, double space_after) {
    Draw(cr, block.get(), kLeft, y);
    y += Height(block.get()) + space_after;
  };

  // The cover.
  y = Mm(60);
  place(Block(cr, "Integrationsmonitoring", 26, true, kWidth), Mm(4));
  place(Block(cr, "Bericht an den Kreistag", 15, false, kWidth), Mm(14));
  place(Block(cr, header.district, 18, true, kWidth), Mm(6));
  place(Block(cr, absl::StrCat("Zeitraum: ", GermanDate(header.scope.from), " bis ", GermanDate(header.scope.to)), 12,
              false, kWidth),
        Mm(2));
  place(Block(cr,
              header.scope.social_area.empty() ? std::string("Gesamter Landkreis")
                                               : absl::StrCat("Sozialraum: ", header.scope.social_area),
              12, false, kWidth),
        Mm(10));
  std::map<std::string, int> lights;
  for (const ReportRow& row : rows) {
    ++lights[row.light ? LightDe(*row.light) : row.target && row.figure.value ? "vorläufig" : "ohne Ziel"];
  }
  place(Block(cr,
              absl::StrFormat("%d Indikatoren: %d grün, %d gelb, %d rot, %d vorläufig, %d ohne Ziel oder ohne Fälle",
                              rows.size(), lights["grün"], lights["gelb"], lights["rot"], lights["vorläufig"],
                              lights["ohne Ziel"]),
              11, false, kWidth),
        Mm(10));
  place(Block(cr,
              absl::StrCat("Datengrundlage: ", header.events, " Ereignisse der Fachdienste (Register, Kurse, Schulen, "
                           "Unterbringung, Sprachmittlung, Benachrichtigungen) vom ",
                           GermanDate(header.history_from), " bis ", GermanDate(header.scope.as_of),
                           ". Personenbezogene Daten enthält dieser Bericht nicht."),
              9, false, kWidth),
        Mm(3));
  place(Block(cr,
              "Ampel: grün, wenn der Ist-Wert das Ziel erreicht; gelb, wenn er es um höchstens ein Zehntel des Ziels "
              "(bei Anteilen: 10 Prozentpunkte) verfehlt; rot darüber hinaus. Vorläufig (ohne Ampel) sind Anteile, "
              "deren Zeitfenster (12 oder 24 Monate, 14 Tage) für einen Teil der Gruppe noch läuft: sie können "
              "noch steigen.",
              9, false, kWidth),
        0);
  cairo_show_page(cr);

  // A page per field of action, in the catalogue's order.
  std::vector<std::string_view> fields;
  for (const ReportRow& row : rows) {
    if (std::find(fields.begin(), fields.end(), row.indicator->field_of_action) == fields.end()) {
      fields.push_back(row.indicator->field_of_action);
    }
  }
  for (const std::string_view field : fields) {
    y = kTop;
    place(Block(cr, std::string(FieldOfActionDe(field)), 17, true, kWidth), Mm(6));
    for (const ReportRow& row : rows) {
      if (row.indicator->field_of_action != field) continue;
      Layout name = Block(cr, std::string(row.indicator->title_de), 12, true, kWidth - Mm(30));
      Layout definition = Block(cr, std::string(row.indicator->definition_de), 8.5, false, kWidth);
      Layout figure = Block(cr, FigureText(row), 10, false, kWidth);
      Layout target = Block(cr, TargetText(row), 10, false, kWidth);
      const double needed = Height(name.get()) + Height(definition.get()) + Height(figure.get()) +
                            Height(target.get()) + kChartHeight + Mm(12);
      if (y + needed > print::kA4Height - kBottom) {
        cairo_show_page(cr);
        y = kTop;
      }
      // The light on the right of the title, with its word for those who print in grey.
      const double title_y = y;
      place(std::move(name), Mm(1));
      SetLightColour(cr, row.light);
      cairo_new_sub_path(cr);
      cairo_arc(cr, kLeft + kWidth - Mm(24), title_y + Mm(2.2), Mm(2.2), 0, 2 * M_PI);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      const char* no_light = row.target && row.figure.value ? "vorläufig" : "ohne Ampel";
      Layout status = Block(cr, row.light ? LightDe(*row.light) : no_light, 10, false, Mm(21));
      Draw(cr, status.get(), kLeft + kWidth - Mm(20), title_y);
      cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
      place(std::move(definition), Mm(1.5));
      cairo_set_source_rgb(cr, 0, 0, 0);
      place(std::move(figure), Mm(0.5));
      place(std::move(target), Mm(2));
      Chart(cr, row, kLeft, y, kWidth, kChartHeight);
      y += kChartHeight + Mm(7);
    }
    cairo_show_page(cr);
  }
  return pdf->Finish();
}

}  // namespace ankommen::monitoring
