#include "channels/senders.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "channels/letter_pdf.h"
#include "nlohmann/json.hpp"

namespace ankommen::notifications {
namespace {

// curl_global_init is not thread-safe: once, before any sender.
void InitCurl() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

struct Upload {
  const std::string& data;
  size_t at = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, up->data.size() - up->at);
  std::memcpy(buffer, up->data.data() + up->at, n);
  up->at += n;
  return n;
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

SendResult FromCurl(CURLcode code, const char* what) {
  SendResult r;
  r.outcome = SendResult::Outcome::kRetry;
  r.detail = absl::StrCat(what, ": ", curl_easy_strerror(code));
  return r;
}

// Base64 in lines of 76, as mail wants it.
std::string MailBase64(const std::string& text) {
  std::string b64 = absl::Base64Escape(text);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 76) absl::StrAppend(&out, b64.substr(i, 76), "\r\n");
  return out;
}

class EmailSender final : public Sender {
 public:
  explicit EmailSender(SmtpSettings s) : s_(std::move(s)) { InitCurl(); }
  Channel channel() const override { return Channel::kEmail; }

  SendResult Send(const OutgoingMessage& m) override {
    const std::string mail = absl::StrCat(
        "From: ", s_.from, "\r\nTo: ", m.to, "\r\nSubject: =?UTF-8?B?", absl::Base64Escape(m.subject), "?=\r\n",
        "Message-ID: <", m.message_id, "@ankommen>\r\n", "Content-Language: ", m.language, "\r\n",
        m.right_to_left ? "X-Text-Direction: rtl\r\n" : "", "MIME-Version: 1.0\r\n",
        "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", MailBase64(m.body));
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return {SendResult::Outcome::kRetry, "curl_easy_init failed"};
    curl_slist* rcpt = curl_slist_append(nullptr, absl::StrCat("<", m.to, ">").c_str());
    Upload up{mail};
    curl_easy_setopt(curl, CURLOPT_URL, s_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (s_.require_tls) curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, absl::StrCat("<", s_.from, ">").c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(s_.timeout)));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (!s_.user.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, s_.user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, s_.password.c_str());
    }
    CURLcode code = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (code == CURLE_OK) return {SendResult::Outcome::kDelivered, "250"};
    // 5xx from the mail server (a bad mailbox, refused recipient) will not improve with time.
    if (reply >= 500) return {SendResult::Outcome::kRejected, absl::StrCat("smtp ", reply)};
    return FromCurl(code, "smtp");
  }

 private:
  SmtpSettings s_;
};

class HttpSender final : public Sender {
 public:
  HttpSender(Channel channel, HttpSettings s) : channel_(channel), s_(std::move(s)) { InitCurl(); }
  Channel channel() const override { return channel_; }

  SendResult Send(const OutgoingMessage& m) override {
    const std::string body = nlohmann::json{{"id", m.message_id},   {"to", m.to},
                                            {"subject", m.subject}, {"text", m.body},
                                            {"language", m.language}, {"direction", m.right_to_left ? "rtl" : "ltr"}}
                                 .dump();
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return {SendResult::Outcome::kRetry, "curl_easy_init failed"};
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
    headers = curl_slist_append(headers, absl::StrCat("Idempotency-Key: ", m.message_id).c_str());
    if (!s_.bearer_token.empty()) {
      headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", s_.bearer_token).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_URL, s_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(s_.timeout)));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK) return FromCurl(code, "http");
    if (status >= 200 && status < 300) return {SendResult::Outcome::kDelivered, absl::StrCat("http ", status)};
    if (status == 408 || status == 429 || status >= 500) return {SendResult::Outcome::kRetry, absl::StrCat("http ", status)};
    return {SendResult::Outcome::kRejected, absl::StrCat("http ", status)};
  }

 private:
  Channel channel_;
  HttpSettings s_;
};

class LetterSender final : public Sender {
 public:
  LetterSender(std::string dir, std::string return_address)
      : dir_(std::move(dir)), return_address_(std::move(return_address)) {}
  Channel channel() const override { return Channel::kLetter; }

  SendResult Send(const OutgoingMessage& m) override {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    const fs::path final_path = fs::path(dir_) / (m.message_id + ".pdf");
    if (fs::exists(final_path, ec)) return {SendResult::Outcome::kDelivered, "already printed"};
    const fs::path tmp = fs::path(dir_) / (m.message_id + ".tmp");
    Letter letter;
    letter.return_address = return_address_;
    letter.recipient = m.to;
    letter.date = m.printed_on;
    letter.language = m.language;
    letter.right_to_left = m.right_to_left;
    letter.subject = m.subject;
    letter.body = m.body;
    letter.german_subject = m.german_subject;
    letter.german_body = m.german_body;
    if (auto s = WriteLetterPdf(letter, tmp.string()); !s.ok()) {
      return {SendResult::Outcome::kRetry, std::string(s.message())};
    }
    fs::rename(tmp, final_path, ec);  // whole or not at all
    if (ec) return {SendResult::Outcome::kRetry, ec.message()};
    return {SendResult::Outcome::kDelivered, "printed"};
  }

  void Forget(const std::string& message_id) override {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::remove(fs::path(dir_) / (message_id + ".pdf"), ec);
    fs::remove(fs::path(dir_) / (message_id + ".tmp"), ec);
  }

 private:
  std::string dir_;
  std::string return_address_;
};

}  // namespace

std::unique_ptr<Sender> MakeEmailSender(SmtpSettings settings) { return std::make_unique<EmailSender>(std::move(settings)); }
std::unique_ptr<Sender> MakeHttpSender(Channel channel, HttpSettings settings) {
  return std::make_unique<HttpSender>(channel, std::move(settings));
}
std::unique_ptr<Sender> MakeLetterSender(std::string dir, std::string return_address) {
  return std::make_unique<LetterSender>(std::move(dir), std::move(return_address));
}

absl::Status CheckSenderUrl(Channel channel, const std::string& setting, const std::string& url, bool development) {
  const bool email = channel == Channel::kEmail;
  if (email ? url.starts_with("smtps://") || url.starts_with("smtp://") : url.starts_with("https://")) {
    return absl::OkStatus();
  }
  if (!email && url.starts_with("http://")) {
    if (development) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        setting, ": plaintext http:// only in development (ANKOMMEN_DEVELOPMENT=on); use https://"));
  }
  return absl::InvalidArgumentError(absl::StrCat(setting, ": expected ",
                                                 email ? "smtps:// or smtp:// (with STARTTLS)" : "https://", ", got '",
                                                 url.substr(0, 64), "'"));
}

}  // namespace ankommen::notifications
