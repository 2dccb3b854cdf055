// ankommen-notifications: wiring only.
#include <tuple>

#include "channels/senders.h"
#include "runtime/config_flags.h"
#include "contacts.h"
#include "grpc/grpc_credentials.h"
#include "grpc/grpc_host.h"
#include "observability/log.h"
#include "notifications.h"
#include "notifications_grpc.h"
#include "runtime/platform.h"
#include "runtime/run_loop.h"
#include "runtime/service_main.h"
#include "bus/streams.h"
#include "template_files.h"

int main(int argc, char** argv) {
  using namespace ankommen;
  using namespace ankommen::notifications;
  BlockTerminationSignals();
  std::string registry_addr = "127.0.0.1:50051", templates_dir = ANKOMMEN_DEFAULT_TEMPLATES_DIR;
  std::string smtp_url, smtp_from = "ankommen@landkreis.example", sms_url, letters_dir;
  std::string letter_sender = "Landratsamt";
  std::string rates, webhook_url, teams, offices, mediators_addr;
  int retry_attempts = 5, retry_first_ms = 30'000, claim_seconds = 120;
  ServiceConfig config = LoadServiceConfig("notifications", argc, argv, [&](CLI::App& app) {
    app.add_option("--registry-addr", registry_addr, "the registry, for contact data (ANKOMMEN_REGISTRY_ADDR)")
        ->envname("ANKOMMEN_REGISTRY_ADDR");
    app.add_option("--templates", templates_dir, "template folder (ANKOMMEN_NOTIFICATIONS_TEMPLATES)")
        ->envname("ANKOMMEN_NOTIFICATIONS_TEMPLATES");
    app.add_option("--smtp-url", smtp_url, "e-mail: smtp://host:port; empty: no e-mail (ANKOMMEN_NOTIFICATIONS_SMTP_URL)")
        ->envname("ANKOMMEN_NOTIFICATIONS_SMTP_URL");
    app.add_option("--smtp-from", smtp_from, "sender address (ANKOMMEN_NOTIFICATIONS_SMTP_FROM)")
        ->envname("ANKOMMEN_NOTIFICATIONS_SMTP_FROM");
    app.add_option("--sms-url", sms_url, "SMS gateway endpoint; empty: no SMS (ANKOMMEN_NOTIFICATIONS_SMS_URL)")
        ->envname("ANKOMMEN_NOTIFICATIONS_SMS_URL");
    app.add_option("--webhook-url", webhook_url,
                   "the district app's endpoint (e.g. Integreat); empty: no app messages (ANKOMMEN_NOTIFICATIONS_WEBHOOK_URL)")
        ->envname("ANKOMMEN_NOTIFICATIONS_WEBHOOK_URL");
    app.add_option("--mediators-addr", mediators_addr,
                   "the mediators service, for mediators' contact data; empty: mediators are not told "
                   "(ANKOMMEN_MEDIATORS_ADDR)")
        ->envname("ANKOMMEN_MEDIATORS_ADDR");
    app.add_option("--offices", offices,
                   "the address of each office that asks for language mediators, by its token subject, e.g. "
                   "\"auslaenderbehoerde=abh@landkreis.example\" (ANKOMMEN_NOTIFICATIONS_OFFICES)")
        ->envname("ANKOMMEN_NOTIFICATIONS_OFFICES");
    app.add_option("--teams", teams,
                   "each social area's social-work team address, e.g. \"Riesa=sozialarbeit.riesa@landkreis.example\" "
                   "(ANKOMMEN_NOTIFICATIONS_TEAMS)")
        ->envname("ANKOMMEN_NOTIFICATIONS_TEAMS");
    app.add_option("--letters", letters_dir, "folder for printed letters; empty: no letters (ANKOMMEN_NOTIFICATIONS_LETTERS)")
        ->envname("ANKOMMEN_NOTIFICATIONS_LETTERS");
    app.add_option("--letter-sender", letter_sender,
                   "the return address line above the recipient, e.g. \"Landratsamt Meißen · Brauhausstraße 21 · "
                   "01662 Meißen\" (ANKOMMEN_NOTIFICATIONS_LETTER_SENDER)")
        ->envname("ANKOMMEN_NOTIFICATIONS_LETTER_SENDER");
    app.add_option("--retry-attempts", retry_attempts, "attempts per channel (ANKOMMEN_NOTIFICATIONS_RETRY_ATTEMPTS)")
        ->envname("ANKOMMEN_NOTIFICATIONS_RETRY_ATTEMPTS")
        ->check(CLI::Range(1, 20));
    app.add_option("--retry-first-ms", retry_first_ms, "first retry delay (ANKOMMEN_NOTIFICATIONS_RETRY_FIRST_MS)")
        ->envname("ANKOMMEN_NOTIFICATIONS_RETRY_FIRST_MS")
        ->check(CLI::Range(1, 3'600'000));
    app.add_option("--rates", rates, "sends per second per channel, e.g. \"email=20,sms=10,webhook=50,letter=500\" (ANKOMMEN_NOTIFICATIONS_RATES)")
        ->envname("ANKOMMEN_NOTIFICATIONS_RATES");
    app.add_option("--claim-seconds", claim_seconds, "an attempt taking longer is presumed lost (ANKOMMEN_NOTIFICATIONS_CLAIM_SECONDS)")
        ->envname("ANKOMMEN_NOTIFICATIONS_CLAIM_SECONDS")
        ->check(CLI::Range(1, 3600));
  });
  auto templates = LoadTemplates(templates_dir);
  if (!templates.ok()) {
    std::cerr << "ankommen-notifications: " << templates.status().message() << "\n";
    return 2;
  }
  // Mail and gateways over TLS: plaintext only in development (local sinks).
  for (const auto& [channel, setting, url] :
       {std::tuple{Channel::kEmail, "ANKOMMEN_NOTIFICATIONS_SMTP_URL", smtp_url},
        std::tuple{Channel::kSms, "ANKOMMEN_NOTIFICATIONS_SMS_URL", sms_url},
        std::tuple{Channel::kWebhook, "ANKOMMEN_NOTIFICATIONS_WEBHOOK_URL", webhook_url}}) {
    if (url.empty()) continue;
    if (auto s = CheckSenderUrl(channel, setting, url, config.development); !s.ok()) {
      std::cerr << "ankommen-notifications: " << s.message() << "\n";
      return 2;
    }
  }
  std::map<Channel, std::unique_ptr<Sender>> senders;
  if (!smtp_url.empty()) {
    SmtpSettings smtp;
    smtp.url = smtp_url;
    smtp.from = smtp_from;
    smtp.require_tls = !config.development;
    senders[Channel::kEmail] = MakeEmailSender(smtp);
  }
  if (!sms_url.empty()) {
    HttpSettings sms;
    sms.url = sms_url;
    if (const char* token = std::getenv("ANKOMMEN_NOTIFICATIONS_SMS_TOKEN")) sms.bearer_token = token;
    senders[Channel::kSms] = MakeHttpSender(Channel::kSms, sms);
  }
  if (!webhook_url.empty()) {
    HttpSettings app;
    app.url = webhook_url;
    if (const char* token = std::getenv("ANKOMMEN_NOTIFICATIONS_WEBHOOK_TOKEN")) app.bearer_token = token;
    senders[Channel::kWebhook] = MakeHttpSender(Channel::kWebhook, app);
  }
  if (!letters_dir.empty()) senders[Channel::kLetter] = MakeLetterSender(letters_dir, letter_sender);

  // The registry is called over TLS when a CA is named: a file that cannot be
  // read stops the service here, before anything starts.
  if (auto tls = ClientCredentials(); !tls.ok()) {
    std::cerr << "ankommen-notifications: " << tls.status().message() << "\n";
    return 2;
  }
  auto platform = Platform::Start(config, {streams::Registry(), streams::Courses(), streams::Schools(), streams::Housing(),
                                           streams::Mediators(), streams::Notifications()});
  if (!platform.ok()) {
    log::Error("start_failed", {{"error", platform.status().message()}});
    return 1;
  }
  NotificationSettings settings;
  settings.retry.max_attempts = retry_attempts;
  settings.retry.first_delay = absl::Milliseconds(retry_first_ms);
  settings.claim = absl::Seconds(claim_seconds);
  std::map<std::string, double> per_channel;
  bool rates_ok = ParseNamedNumbers(rates, 0.1, 10000, per_channel);
  for (const auto& [name, rate] : per_channel) {
    const Channel channels[] = {Channel::kEmail, Channel::kSms, Channel::kWebhook, Channel::kLetter};
    auto known = std::find_if(std::begin(channels), std::end(channels), [&](Channel c) { return name == ChannelName(c); });
    if (known == std::end(channels)) rates_ok = false;
    else settings.per_second[*known] = rate;
  }
  if (!ParseNamedValues(teams, settings.team_emails)) {
    std::cerr << "ankommen-notifications: --teams: expected area=address pairs separated by commas\n";
    return 2;
  }
  if (!ParseNamedValues(offices, settings.office_emails)) {
    std::cerr << "ankommen-notifications: --offices: expected subject=address pairs separated by commas\n";
    return 2;
  }
  if (!rates_ok) {
    std::cerr << "ankommen-notifications: --rates: expected channel=count pairs (email, sms, webhook, letter; 0.1 to 10000)\n";
    return 2;
  }
  const Clock& clock = (*platform)->clock();
  auto contacts = MakeRegistryContactBook(registry_addr);
  Notifications use_cases((*platform)->outbox(), (*platform)->redis(), *contacts, std::move(*templates),
                          std::move(senders), settings, clock, (*platform)->metrics());
  std::unique_ptr<ContactBook> mediator_contacts;
  if (!mediators_addr.empty()) {
    mediator_contacts = MakeMediatorContactBook(mediators_addr);
    use_cases.set_mediator_contacts(mediator_contacts.get());
  }
  // Sending runs on its own loop: woken by new messages, and every second for retries that fall due.
  RunLoop::Options loop;
  loop.period = absl::Seconds(1);
  loop.debounce = absl::Milliseconds(50);
  RunLoop dispatcher(
      loop,
      [&use_cases, &dispatcher] {
        constexpr int kBatch = 100;
        auto sent = use_cases.DispatchDue(kBatch);
        if (!sent.ok()) log::Warn("dispatch_failed", {{"error", sent.status().message()}});
        if (sent.ok() && *sent == kBatch) dispatcher.Wake();  // more are due: no need to wait for the period
      },
      [] {});
  use_cases.set_on_new([&dispatcher] { dispatcher.Wake(); });

  Consumers consumers;
  auto handler = [&use_cases](const IncomingEvent& e) { return use_cases.ApplyEvent(e); };
  // One durable consumer per subject filter (a consumer's filter cannot change
  // once it exists): offers, enrolments, school and Kita places and gaps,
  // housing offers, lease transfers, mediators booked and bookings cancelled; and the registry's erasures and merges.
  if (!consumers.Add((*platform)->Subscribe(streams::kCourses, "notifications-courses", "ankommen.courses.offer.>", handler)) ||
      !consumers.Add((*platform)->Subscribe(streams::kCourses, "notifications-enrolments", streams::kEnrolmentStarted, handler)) ||
      !consumers.Add((*platform)->Subscribe(streams::kSchools, "notifications-schools", "", handler)) ||
      !consumers.Add((*platform)->Subscribe(streams::kHousing, "notifications-housing", streams::kHousingOffered, handler)) ||
      !consumers.Add((*platform)->Subscribe(streams::kHousing, "notifications-leases", streams::kLeaseOffered, handler)) ||
      !consumers.Add((*platform)->Subscribe(streams::kRegistry, "notifications-erasures", "ankommen.registry.person.>", handler)) ||
      !consumers.Add((*platform)->Subscribe(streams::kMediators, "notifications-mediators", streams::kMediatorBooked, handler)) ||
      !consumers.Add((*platform)->Subscribe(streams::kMediators, "notifications-mediator-cancels", streams::kBookingCancelled,
                                            handler))) {
    return 1;
  }
  dispatcher.Start();
  return ServeService(*platform, "ankommen.notifications.v1.NotificationService", consumers,
                      [&](Edge& edge) { return std::make_unique<NotificationGrpcService>(use_cases, edge); },
                      [&] { dispatcher.Stop(); });
}
