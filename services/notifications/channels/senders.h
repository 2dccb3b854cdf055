// The real senders: SMTP and HTTP through libcurl, letters as files.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "channels/channel.h"

namespace ankommen::notifications {

struct SmtpSettings {
  std::string url = "smtp://127.0.0.1:25";  // smtps://, or smtp:// with STARTTLS
  std::string from = "ankommen@landkreis.example";
  std::string user, password;  // empty: no authentication
  absl::Duration timeout = absl::Seconds(20);
  // smtp:// must upgrade to TLS (STARTTLS) or the mail is not sent; off only
  // in development, for a local mail sink.
  bool require_tls = true;
};

// An e-mail in the recipient's language: UTF-8 text, the subject encoded for
// mail headers, Message-ID from the message id so a mail server can drop a
// second copy, and a Content-Language header (and right-to-left direction hint).
std::unique_ptr<Sender> MakeEmailSender(SmtpSettings settings);

struct HttpSettings {
  std::string url;  // the SMS gateway's or the app's endpoint
  std::string bearer_token;  // empty: none
  absl::Duration timeout = absl::Seconds(10);
};

// POSTs the message as JSON ({"id","to","subject","text","language","direction"})
// with an Idempotency-Key header. 2xx: delivered; 408, 429, 5xx and network
// errors: retry; other 4xx: rejected.
std::unique_ptr<Sender> MakeHttpSender(Channel channel, HttpSettings settings);

// A sender's URL as its setting may hold it: smtps:// or smtp:// (STARTTLS
// required) for e-mail, https:// for the gateways; plaintext http:// only in
// development. INVALID_ARGUMENT naming the setting otherwise.
absl::Status CheckSenderUrl(Channel channel, const std::string& setting, const std::string& url, bool development);

// Writes a printable letter, an A4 PDF for a window envelope
// (<message id>.pdf, letter_pdf.h), into a folder for the post room, with
// `return_address` above the recipient; the same message again changes nothing.
std::unique_ptr<Sender> MakeLetterSender(std::string dir, std::string return_address);

}  // namespace ankommen::notifications
