#include "channels/letter_pdf.h"

#include <pango/pangocairo.h>

#include "absl/strings/str_cat.h"
#include "print/text_block.h"

namespace ankommen::notifications {
namespace {

using print::Block;
using print::Draw;
using print::Height;
using print::Layout;
using print::Mm;
using print::kA4Height;
using print::kA4Width;

// DIN 5008, form B: the page, its margins and the window envelope's address field.
constexpr double kPageWidth = kA4Width, kPageHeight = kA4Height;
constexpr double kLeft = Mm(25), kRight = Mm(20), kTop = Mm(27), kBottom = Mm(25);
constexpr double kAddressLeft = Mm(25), kAddressTop = Mm(45), kAddressWidth = Mm(80);
constexpr double kReturnAddressHeight = Mm(5);
constexpr double kDateTop = Mm(97.4), kSubjectTop = Mm(108);
constexpr double kTextWidth = kPageWidth - kLeft - kRight;

}  // namespace

absl::Status WriteLetterPdf(const Letter& letter, const std::string& path) {
  auto pdf = print::PdfDocument::Create(path, letter.subject, "the letter");
  if (!pdf.ok()) return pdf.status();
  cairo_t* cr = pdf->cr();

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
  return pdf->Finish();
}

}  // namespace ankommen::notifications
