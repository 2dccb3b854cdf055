// Loopback stand-ins for the outside world the notification channels talk
// to: an SMTP server and an HTTP endpoint (an SMS gateway, an app's webhook)
// that record what they receive and answer as the test says. Real sockets,
// real protocols; only the far side is small.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ankommen::testing {

class SmtpSink {
 public:
  SmtpSink();
  ~SmtpSink();
  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // Everything between DATA and the final dot, one entry per mail.
  std::vector<std::string> Mails();
  // The Message-ID header of each mail received, in order (a mail sent twice appears twice).
  std::vector<std::string> MessageIds();
  void set_reject_recipients(bool reject) { reject_ = reject; }
  // Holds the answer to a mail's final dot this long: the mail is received,
  // the sender does not know it yet (a crash in the middle of a send).
  void set_answer_delay_ms(int ms) { answer_delay_ms_ = ms; }

 private:
  void Serve();
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> reject_{false};
  std::atomic<int> answer_delay_ms_{0};
  std::mutex mutex_;
  std::vector<std::string> mails_;
  std::thread thread_;
};

struct HttpRequest {
  std::string method, path, body;
  std::map<std::string, std::string> headers;  // lower-case names
};

class HttpSink {
 public:
  HttpSink();
  ~HttpSink();
  int port() const { return port_; }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<HttpRequest> Requests();
  void set_status(int status) { status_ = status; }
  // What it answers with (empty by default): a document to serve.
  void set_response_body(std::string body) {
    std::lock_guard lock(mutex_);
    response_body_ = std::move(body);
  }

 private:
  void Serve();
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> status_{200};
  std::mutex mutex_;
  std::vector<HttpRequest> requests_;
  std::string response_body_;
  std::thread thread_;
};

}  // namespace ankommen::testing
