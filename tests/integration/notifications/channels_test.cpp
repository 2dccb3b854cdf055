// The channels against loopback servers that speak the real protocols: an
// e-mail in Arabic arrives whole with its Message-ID; HTTP answers decide
// between delivered, retry and rejected; a letter is printed once.
#include <filesystem>
#include <cstdlib>
#include <sstream>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "channels/senders.h"
#include "nlohmann/json.hpp"
#include "support/servers.h"
#include "support/sinks.h"

namespace ankommen::notifications {
namespace {

using Outcome = SendResult::Outcome;

OutgoingMessage Arabic() {
  OutgoingMessage m;
  m.message_id = "msg_00000000000000ab";
  m.to = "amina@example.org";
  m.subject = "مقعد لك في دورة Integrationskurs";
  m.body = "مرحباً،\n\nيتوفر لك مقعد في دورة Integrationskurs.\n";
  m.language = "ar";
  m.right_to_left = true;
  return m;
}

// The base64 body of a mail, decoded.
std::string MailBody(const std::string& mail) {
  std::string encoded = mail.substr(mail.find("\r\n\r\n") + 4);
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\r'), encoded.end());
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\n'), encoded.end());
  std::string body;
  EXPECT_TRUE(absl::Base64Unescape(encoded, &body));
  return body;
}

TEST(EmailChannelTest, AnArabicMailArrivesWholeWithItsMessageId) {
  testing::SmtpSink smtp;
  SmtpSettings settings;
  settings.url = smtp.url();
  settings.require_tls = false;  // the sink speaks no TLS, as in development
  settings.from = "ankommen@landkreis-meissen.example";
  auto email = MakeEmailSender(settings);
  auto result = email->Send(Arabic());
  ASSERT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  auto mails = smtp.Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0], ::testing::HasSubstr("Message-ID: <msg_00000000000000ab@ankommen>"));
  EXPECT_THAT(mails[0], ::testing::HasSubstr("Content-Language: ar"));
  EXPECT_THAT(mails[0], ::testing::HasSubstr("Subject: =?UTF-8?B?" + absl::Base64Escape(Arabic().subject) + "?="));
  EXPECT_EQ(MailBody(mails[0]), Arabic().body);
}

TEST(EmailChannelTest, ARefusedMailboxIsRejectedAndNoServerMeansRetry) {
  testing::SmtpSink smtp;
  smtp.set_reject_recipients(true);
  SmtpSettings settings;
  settings.url = smtp.url();
  settings.require_tls = false;
  EXPECT_EQ(MakeEmailSender(settings)->Send(Arabic()).outcome, Outcome::kRejected);
  SmtpSettings nowhere;
  nowhere.url = "smtp://127.0.0.1:" + std::to_string(testing::FreePort());
  nowhere.timeout = absl::Seconds(2);
  EXPECT_EQ(MakeEmailSender(nowhere)->Send(Arabic()).outcome, Outcome::kRetry);
}

TEST(EmailChannelTest, OutsideDevelopmentAMailServerWithoutTlsGetsNothing) {
  testing::SmtpSink smtp;  // offers no STARTTLS
  SmtpSettings settings;
  settings.url = smtp.url();
  settings.timeout = absl::Seconds(5);
  auto result = MakeEmailSender(settings)->Send(Arabic());
  EXPECT_NE(result.outcome, Outcome::kDelivered) << result.detail;
  EXPECT_TRUE(smtp.Mails().empty()) << "nothing sent in plaintext";
}

TEST(SenderUrlTest, TlsOutsideDevelopment) {
  EXPECT_TRUE(CheckSenderUrl(Channel::kEmail, "SMTP", "smtps://mail.landkreis.example", false).ok());
  EXPECT_TRUE(CheckSenderUrl(Channel::kEmail, "SMTP", "smtp://mail.landkreis.example:587", false).ok())
      << "STARTTLS is required on it";
  EXPECT_TRUE(CheckSenderUrl(Channel::kSms, "SMS", "https://sms.example/send", false).ok());
  auto plain = CheckSenderUrl(Channel::kSms, "ANKOMMEN_NOTIFICATIONS_SMS_URL", "http://sms.example/send", false);
  EXPECT_EQ(plain.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(plain.message()), ::testing::HasSubstr("ANKOMMEN_NOTIFICATIONS_SMS_URL"));
  EXPECT_TRUE(CheckSenderUrl(Channel::kWebhook, "APP", "http://127.0.0.1:8080/app", true).ok()) << "development";
  EXPECT_FALSE(CheckSenderUrl(Channel::kWebhook, "APP", "ftp://app.example", true).ok());
  EXPECT_FALSE(CheckSenderUrl(Channel::kEmail, "SMTP", "https://mail.example", true).ok());
}

TEST(HttpChannelTest, TheAnswerDecides) {
  testing::HttpSink gateway;
  HttpSettings settings;
  settings.url = gateway.url("/sms");
  settings.bearer_token = "token-1";
  auto sms = MakeHttpSender(Channel::kSms, settings);
  ASSERT_EQ(sms->Send(Arabic()).outcome, Outcome::kDelivered);
  auto requests = gateway.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/sms");
  EXPECT_EQ(requests[0].headers["idempotency-key"], "msg_00000000000000ab");
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer token-1");
  auto json = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(json["text"], Arabic().body);
  EXPECT_EQ(json["direction"], "rtl");
  gateway.set_status(503);
  EXPECT_EQ(sms->Send(Arabic()).outcome, Outcome::kRetry);
  gateway.set_status(429);
  EXPECT_EQ(sms->Send(Arabic()).outcome, Outcome::kRetry);
  gateway.set_status(400);
  EXPECT_EQ(sms->Send(Arabic()).outcome, Outcome::kRejected);
  HttpSettings nowhere;
  nowhere.url = "http://127.0.0.1:" + std::to_string(testing::FreePort()) + "/";
  EXPECT_EQ(MakeHttpSender(Channel::kWebhook, nowhere)->Send(Arabic()).outcome, Outcome::kRetry);
}

// The text of a PDF as poppler's pdftotext reads it, or "" when it cannot.
std::string PdfText(const std::string& path) {
  const std::string out = path + ".txt";
  if (std::system(("pdftotext -enc UTF-8 '" + path + "' '" + out + "'").c_str()) != 0) return "";
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

OutgoingMessage LetterTo(OutgoingMessage m) {
  m.to = "Amina Haddad\nBahnhofstraße 1\n01587 Riesa";
  m.printed_on = "4. Dezember 2026";
  m.german_subject = "Ein Platz im Kurs Integrationskurs für Sie";
  m.german_body = "Guten Tag,\n\nfür Sie ist ein Platz im Kurs Integrationskurs frei.\n";
  return m;
}

TEST(LetterChannelTest, ALetterIsAnA4PdfForAWindowEnvelopeWithTheGermanTextAfterIt) {
  testing::TempDir dir;
  auto letters = MakeLetterSender(dir.path(), "Landratsamt Meißen · Brauhausstraße 21 · 01662 Meißen");
  OutgoingMessage ukrainian = LetterTo(Arabic());
  ukrainian.message_id = "msg_00000000000000uk";
  ukrainian.language = "uk";
  ukrainian.right_to_left = false;
  ukrainian.subject = "Місце на курсі Integrationskurs для вас";
  ukrainian.body = "Добрий день,\n\nдля вас є вільне місце на курсі Integrationskurs.\n";
  for (const auto& m : {LetterTo(Arabic()), ukrainian}) {
    ASSERT_EQ(letters->Send(m).outcome, Outcome::kDelivered) << m.language;
    const std::string pdf = dir.path() + "/" + m.message_id + ".pdf";
    std::ifstream in(pdf, std::ios::binary);
    std::string head(8, '\0');
    in.read(head.data(), 8);
    EXPECT_EQ(head.substr(0, 5), "%PDF-") << m.language;
    const std::string text = PdfText(pdf);
    ASSERT_FALSE(text.empty()) << "pdftotext (poppler-utils) read nothing of " << pdf;
    for (const char* expected : {"Amina Haddad", "Bahnhofstraße 1", "01587 Riesa", "Landratsamt Meißen",
                                 "4. Dezember 2026", "Ein Platz im Kurs Integrationskurs für Sie"}) {
      EXPECT_THAT(text, ::testing::HasSubstr(expected)) << m.language;
    }
  }
  EXPECT_THAT(PdfText(dir.path() + "/msg_00000000000000uk.pdf"), ::testing::HasSubstr("для вас є вільне місце на курсі"));
  // Arabic comes back in reading order (pdftotext guesses the gaps between
  // shaped glyphs, so spaces and its direction marks are left out of the comparison).
  const std::string arabic = PdfText(dir.path() + "/msg_00000000000000ab.pdf");
  std::string letters_only = absl::StrReplaceAll(arabic, {{" ", ""}, {"\u202B", ""}, {"\u202C", ""}});
  EXPECT_THAT(letters_only, ::testing::HasSubstr("يتوفرلكمقعدفيدورة")) << arabic;
  EXPECT_THAT(letters_only, ::testing::HasSubstr("مقعدلكفيدورة")) << arabic;
  EXPECT_THAT(arabic, ::testing::HasSubstr("Landratsamt Meißen · Brauhausstraße 21 · 01662 Meißen")) << "one line, 7 pt";
}

TEST(LetterChannelTest, ALetterIsPrintedOnce) {
  testing::TempDir dir;
  auto letters = MakeLetterSender(dir.path() + "/letters", "Landratsamt Meißen");
  ASSERT_EQ(letters->Send(Arabic()).outcome, Outcome::kDelivered);
  auto again = letters->Send(Arabic());
  EXPECT_EQ(again.outcome, Outcome::kDelivered);
  EXPECT_EQ(again.detail, "already printed");
  int files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.path() + "/letters")) {
    ++files;
    EXPECT_EQ(f.path().filename(), "msg_00000000000000ab.pdf");
  }
  EXPECT_EQ(files, 1);
}

TEST(RateLimiterTest, ABurstThenTheRate) {
  RateLimiter limiter(/*per_second=*/100, /*burst=*/2);
  const absl::Time start = absl::Now();
  for (int i = 0; i < 6; ++i) limiter.Acquire();
  // Two from the burst, four at 100 per second: at least 40 ms.
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(35));
}

}  // namespace
}  // namespace ankommen::notifications
