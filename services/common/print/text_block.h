// Text on a PDF page through Pango and Cairo, as the letters and the council's
// report set it: blocks of a given width, shaped (right to left for Arabic
// script), in fonts that cover the districts' languages. Its own library
// (ankommen_print) so that only what prints links Pango.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;
typedef struct _PangoLayout PangoLayout;

namespace ankommen::print {

// Millimetres to PDF points.
constexpr double Mm(double mm) { return mm * 72.0 / 25.4; }
constexpr double kA4Width = Mm(210), kA4Height = Mm(297);

struct LayoutDeleter {
  void operator()(PangoLayout* layout) const;
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

// A block of text `width` wide: left-aligned, or right-aligned and set right
// to left (Arabic, Farsi, Dari, Pashto); `language` picks the shaping rules.
Layout Block(cairo_t* cr, const std::string& text, double points, bool bold, double width, bool right_to_left = false,
             const std::string& language = "de");

// An A4 PDF being written: its pages are drawn on cr(); Finish() writes it
// out and says whether that worked (`what` names it in the error: "the letter").
class PdfDocument {
 public:
  static absl::StatusOr<PdfDocument> Create(const std::string& path, const std::string& title, const std::string& what);
  PdfDocument(PdfDocument&& other) noexcept;
  PdfDocument& operator=(PdfDocument&&) = delete;
  ~PdfDocument();
  cairo_t* cr() const { return cr_; }
  absl::Status Finish();

 private:
  PdfDocument(cairo_surface_t* surface, cairo_t* cr, std::string what) : surface_(surface), cr_(cr), what_(std::move(what)) {}
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  std::string what_;
};

double Height(PangoLayout* layout);
double Width(PangoLayout* layout);  // of the text as set, not the block
void Draw(cairo_t* cr, PangoLayout* layout, double x, double y);

}  // namespace ankommen::print
