// Text on a PDF page through Pango and Cairo, as the letters and the council's
// report set it: blocks of a given width, shaped (right to left for Arabic
// script), in fonts that cover the districts' languages. Its own library
// (ankommen_print) so that only what prints links Pango.
#pragma once

#include <memory>
#include <string>

typedef struct _cairo cairo_t;
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

double Height(PangoLayout* layout);
double Width(PangoLayout* layout);  // of the text as set, not the block
void Draw(cairo_t* cr, PangoLayout* layout, double x, double y);

}  // namespace ankommen::print
