#include "support/sinks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace ankommen::testing {
namespace {

int ListenLoopback(int& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  listen(fd, 16);
  return fd;
}

// Accepts with a timeout so that the serving thread notices when to stop.
int AcceptOrTimeout(int listen_fd) {
  pollfd p{listen_fd, POLLIN, 0};
  if (poll(&p, 1, 100) <= 0) return -1;
  return accept(listen_fd, nullptr, nullptr);
}

bool ReadLine(int fd, std::string& buffer, std::string& line) {
  for (;;) {
    auto end = buffer.find("\r\n");
    if (end != std::string::npos) {
      line = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      return true;
    }
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

// send(MSG_NOSIGNAL): a peer gone (a sender killed mid-send) must not end the test with SIGPIPE.
void Write(int fd, const std::string& text) { (void)!send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

}  // namespace

SmtpSink::SmtpSink() {
  listen_fd_ = ListenLoopback(port_);
  thread_ = std::thread([this] { Serve(); });
}

SmtpSink::~SmtpSink() {
  stopping_ = true;
  thread_.join();
  close(listen_fd_);
}

std::vector<std::string> SmtpSink::Mails() {
  std::lock_guard lock(mutex_);
  return mails_;
}

void SmtpSink::Serve() {
  while (!stopping_) {
    int fd = AcceptOrTimeout(listen_fd_);
    if (fd < 0) continue;
    std::string buffer, line;
    Write(fd, "220 sink ESMTP\r\n");
    while (ReadLine(fd, buffer, line)) {
      std::string verb = line.substr(0, 4);
      std::transform(verb.begin(), verb.end(), verb.begin(), [](unsigned char c) { return std::toupper(c); });
      if (verb == "EHLO" || verb == "HELO") {
        Write(fd, "250 sink\r\n");
      } else if (verb == "MAIL") {
        Write(fd, "250 ok\r\n");
      } else if (verb == "RCPT") {
        Write(fd, reject_ ? "550 no such mailbox\r\n" : "250 ok\r\n");
      } else if (verb == "DATA") {
        Write(fd, "354 go ahead\r\n");
        std::string mail;
        while (ReadLine(fd, buffer, line) && line != ".") mail += line + "\r\n";
        {
          std::lock_guard lock(mutex_);
          mails_.push_back(mail);
        }
        if (int hold = answer_delay_ms_; hold > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hold));
        Write(fd, "250 queued\r\n");
      } else if (verb == "QUIT") {
        Write(fd, "221 bye\r\n");
        break;
      } else {
        Write(fd, "250 ok\r\n");
      }
    }
    close(fd);
  }
}

std::vector<std::string> SmtpSink::MessageIds() {
  std::vector<std::string> ids;
  for (const auto& mail : Mails()) {
    const auto at = mail.find("Message-ID: ");
    if (at == std::string::npos) continue;
    ids.push_back(mail.substr(at + 12, mail.find("\r\n", at) - at - 12));
  }
  return ids;
}

HttpSink::HttpSink() {
  listen_fd_ = ListenLoopback(port_);
  thread_ = std::thread([this] { Serve(); });
}

HttpSink::~HttpSink() {
  stopping_ = true;
  thread_.join();
  close(listen_fd_);
}

std::vector<HttpRequest> HttpSink::Requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

void HttpSink::Serve() {
  while (!stopping_) {
    int fd = AcceptOrTimeout(listen_fd_);
    if (fd < 0) continue;
    std::string buffer, line;
    HttpRequest request;
    if (ReadLine(fd, buffer, line)) {
      auto space = line.find(' ');
      request.method = line.substr(0, space);
      request.path = line.substr(space + 1, line.find(' ', space + 1) - space - 1);
      while (ReadLine(fd, buffer, line) && !line.empty()) {
        auto colon = line.find(':');
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        request.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      size_t length = request.headers.contains("content-length") ? std::stoul(request.headers["content-length"]) : 0;
      while (buffer.size() < length) {
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      request.body = buffer.substr(0, length);
      std::string body;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        body = response_body_;
      }
      Write(fd, "HTTP/1.1 " + std::to_string(status_.load()) + " Sink\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n" + body);
    }
    close(fd);
  }
}

}  // namespace ankommen::testing
