#include "channels/letter_pdf.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace ankommen::notifications {
namespace {

// Millimetres to PDF points.
constexpr double Mm(double mm) { return mm * 72.0 / 25.4; }

// DIN 5008, form B: the page, its margins and the window envelope's address field.
constexpr double kPageWidth = Mm(210), kPageHeight = Mm(297);
constexpr double kLeft = Mm(25), kRight = Mm(20), kTop = Mm(27), kBottom = Mm(25);
constexpr double kAddressLeft = Mm(25), kAddressTop = Mm(45), kAddressWidth = Mm(80);
constexpr double kReturnAddressHeight = Mm(5);
constexpr double kDateTop = Mm(97.4), kSubjectTop = Mm(108);
constexpr double kTextWidth = kPageWidth - kLeft - kRight;

// Noto covers the scripts of the districts' languages (Arabic, Ethiopic,
// Cyrillic, Latin); DejaVu is the fallback fontconfig finds anyway.
constexpr char kFamily[] = "Noto Sans, Noto Sans Arabic, Noto Naskh Arabic, Noto Sans Ethiopic, DejaVu Sans";

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

// A block of text `width` wide: left-aligned, or right-aligned and set right
// to left for Arabic, Farsi, Dari and Pashto (Pango shapes the letters).
Layout Block(cairo_t* cr, const std::string& text, double points, bool bold, double width, bool right_to_left,
             const std::string& language) {
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* font = pango_font_description_from_string(kFamily);
  pango_font_description_set_size(font, static_cast<int>(points * PANGO_SCALE));
  if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_auto_dir(layout.get(), FALSE);
  PangoContext* context = pango_layout_get_context(layout.get());
  pango_cairo_context_set_resolution(context, 72);  // a point is a PDF unit: 11 pt prints as 11 pt
  pango_context_set_base_dir(context, right_to_left ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
  pango_context_set_language(context, pango_language_from_string(language.c_str()));
  pango_layout_context_changed(layout.get());
  pango_layout_set_alignment(layout.get(), right_to_left ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_set_text(layout.get(), text.c_str(), -1);
  return layout;
}

double Height(PangoLayout* layout) {
  int width = 0, height = 0;
  pango_layout_get_size(layout, &width, &height);
  return static_cast<double>(height) / PANGO_SCALE;
}

void Draw(cairo_t* cr, PangoLayout* layout, double x, double y) {
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
}

}  // namespace

absl::Status WriteLetterPdf(const Letter& letter, const std::string& path) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), kPageWidth, kPageHeight);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return absl::InternalError(absl::StrCat("cannot write the letter: ", why));
  }
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, letter.subject.c_str());
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 0, 0, 0);

  // The address field: the return address small and underlined, then the recipient.
  Layout back = Block(cr, letter.return_address, 7, false, kAddressWidth, false, "de");
  Draw(cr, back.get(), kAddressLeft, kAddressTop);
  cairo_set_line_width(cr, 0.4);
  cairo_move_to(cr, kAddressLeft, kAddressTop + kReturnAddressHeight - 1);
  cairo_line_to(cr, kAddressLeft + kAddressWidth, kAddressTop + kReturnAddressHeight - 1);
  cairo_stroke(cr);
  Layout to = Block(cr, letter.recipient, 11, false, kAddressWidth, false, "de");
  Draw(cr, to.get(), kAddressLeft, kAddressTop + kReturnAddressHeight + Mm(3));

  // The date on the right of the information line, then the text.
  Layout date = Block(cr, letter.date, 11, false, kTextWidth, false, "de");
  pango_layout_set_alignment(date.get(), PANGO_ALIGN_RIGHT);
  Draw(cr, date.get(), kLeft, kDateTop);

  double y = kSubjectTop;
  auto place = [&](Layout block, double space_after) {
    const double h = Height(block.get());
    if (y + h > kPageHeight - kBottom && y > kTop) {  // a block that does not fit starts a new page
      cairo_show_page(cr);
      y = kTop;
    }
    Draw(cr, block.get(), kLeft, y);
    y += h + space_after;
  };
  place(Block(cr, letter.subject, 12, true, kTextWidth, letter.right_to_left, letter.language), Mm(8));
  place(Block(cr, letter.body, 11, false, kTextWidth, letter.right_to_left, letter.language), Mm(10));
  if (!letter.german_body.empty()) {
    place(Block(cr, "Deutsch:", 9, true, kTextWidth, false, "de"), Mm(2));
    place(Block(cr, letter.german_subject, 11, true, kTextWidth, false, "de"), Mm(5));
    place(Block(cr, letter.german_body, 10, false, kTextWidth, false, "de"), 0);
  }
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat("cannot write the letter: ", cairo_status_to_string(status)));
  }
  return absl::OkStatus();
}

}  // namespace ankommen::notifications
