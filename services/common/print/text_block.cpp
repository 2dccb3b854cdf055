#include "print/text_block.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "absl/strings/str_cat.h"

namespace ankommen::print {
namespace {

// Noto covers the scripts of the districts' languages (Arabic, Ethiopic,
// Cyrillic, Latin); DejaVu is the fallback fontconfig finds anyway.
constexpr char kFamily[] = "Noto Sans, Noto Sans Arabic, Noto Naskh Arabic, Noto Sans Ethiopic, DejaVu Sans";

}  // namespace

void LayoutDeleter::operator()(PangoLayout* layout) const { g_object_unref(layout); }

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

absl::StatusOr<PdfDocument> PdfDocument::Create(const std::string& path, const std::string& title,
                                                const std::string& what) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), kA4Width, kA4Height);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return absl::InternalError(absl::StrCat("cannot write ", what, ": ", why));
  }
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 0, 0, 0);
  return PdfDocument(surface, cr, what);
}

PdfDocument::PdfDocument(PdfDocument&& other) noexcept
    : surface_(other.surface_), cr_(other.cr_), what_(std::move(other.what_)) {
  other.surface_ = nullptr;
  other.cr_ = nullptr;
}

PdfDocument::~PdfDocument() {
  if (cr_ != nullptr) cairo_destroy(cr_);
  if (surface_ != nullptr) cairo_surface_destroy(surface_);
}

absl::Status PdfDocument::Finish() {
  cairo_destroy(cr_);
  cr_ = nullptr;
  cairo_surface_finish(surface_);
  const cairo_status_t status = cairo_surface_status(surface_);
  cairo_surface_destroy(surface_);
  surface_ = nullptr;
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat("cannot write ", what_, ": ", cairo_status_to_string(status)));
  }
  return absl::OkStatus();
}

double Height(PangoLayout* layout) {
  int width = 0, height = 0;
  pango_layout_get_size(layout, &width, &height);
  return static_cast<double>(height) / PANGO_SCALE;
}

double Width(PangoLayout* layout) {
  PangoRectangle ink, logical;
  pango_layout_get_extents(layout, &ink, &logical);
  return static_cast<double>(logical.width) / PANGO_SCALE;
}

void Draw(cairo_t* cr, PangoLayout* layout, double x, double y) {
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
}

}  // namespace ankommen::print
