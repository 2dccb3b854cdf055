#include "servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <hiredis/hiredis.h>

#include "grpc/health/v1/health.grpc.pb.h"

namespace ankommen::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool WaitFor(const std::function<bool()>& ready, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

// A TCP connection to 127.0.0.1:port with a receive timeout, or -1.
int ConnectLoopback(int port, int timeout_seconds) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Reads the first line a TCP server sends (NATS greets with INFO {...}).
std::string Greeting(int port) {
  std::string line;
  int fd = ConnectLoopback(port, 1);
  if (fd >= 0) {
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) line.assign(buf, static_cast<size_t>(n));
    close(fd);
  }
  return line;
}

}  // namespace

namespace {

// The kernel's range for the ephemeral ports of outgoing connections.
std::pair<int, int> EphemeralRange() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  in >> low >> high;
  return {low, high};
}

bool CanBind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return free;
}

}  // namespace

// Picked below the ephemeral range: a port the kernel hands out for bind(0)
// is also handed to the next outgoing connection of any process on the
// machine (tests run in parallel), which then holds it when our server binds.
int FreePort() {
  static std::mutex mu;
  static std::mt19937 random(static_cast<unsigned>(getpid()) ^
                             static_cast<unsigned>(Clock::now().time_since_epoch().count()));
  static std::set<int> given;
  std::lock_guard<std::mutex> lock(mu);
  const auto [ephemeral_low, ephemeral_high] = EphemeralRange();
  (void)ephemeral_high;
  const int high = std::max(ephemeral_low, 2048), low = std::max(1024, high - 12000);
  std::uniform_int_distribution<int> pick(low, high - 1);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int port = pick(random);
    if (!given.contains(port) && CanBind(port)) {
      given.insert(port);
      return port;
    }
  }
  throw std::runtime_error("no free loopback port below " + std::to_string(high));
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ankommen-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string HttpGet(int port, const std::string& path) {
  std::string response;
  int fd = ConnectLoopback(port, 5);
  if (fd >= 0) {
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    send(fd, request.data(), request.size(), 0);
    char buf[65536];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) response.append(buf, static_cast<size_t>(n));
    close(fd);
  }
  auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

std::string FindBinary(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/usr/local/bin/", "/usr/local/sbin/"}) {
    std::string path = std::string(dir) + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  throw std::runtime_error(name + " not found: install it (deploy/local/install-deps.sh)");
}

Process::Process(const std::string& binary, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env, const std::string& log_path)
    : log_path_(log_path) {
  // Started from the test's main thread, the server ends with the test even
  // when the test crashes (a signal when the thread that forked it ends:
  // from another thread, that would be the thread's end, so only from the main).
  const pid_t parent = getpid();
  const bool from_main_thread = gettid() == parent;
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (from_main_thread) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the test ended before the line above
    }
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    // The child must not inherit the test's blocked signals.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
}

Process::~Process() { Stop(SIGKILL, 5000); }

bool Process::Running() {
  if (reaped_) return false;
  pid_t r = waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  return !reaped_;
}

int Process::Wait(int timeout_ms) {
  WaitFor([&] { return !Running(); }, timeout_ms);
  if (Running()) return Stop(SIGKILL);
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

int Process::Stop(int signal, int timeout_ms) {
  if (!Running()) return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  kill(pid_, signal);
  WaitFor([&] { return !Running(); }, timeout_ms);
  if (Running()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    reaped_ = true;
    return -1;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

std::string Process::Log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

NatsServer::NatsServer(std::vector<std::string> extra_args) : port_(FreePort()), extra_args_(std::move(extra_args)) {
  Start();
}

void NatsServer::Stop() { process_.reset(); }

void NatsServer::Pause() {
  if (process_) kill(process_->pid(), SIGSTOP);
}

void NatsServer::Start() {
  std::vector<std::string> args = {"-a", "127.0.0.1", "-p", std::to_string(port_), "-js", "-sd", dir_.path() + "/js"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<Process>(FindBinary("nats-server"), args, std::map<std::string, std::string>{},
                                       dir_.path() + "/nats.log");
  // Ready when our process greets with JetStream on (another server on the
  // port would make our process exit, which Running() notices).
  bool ready = WaitFor([&] {
    return process_->Running() && Greeting(port_).find("\"jetstream\":true") != std::string::npos;
  }, 10000);
  if (!ready) throw std::runtime_error("nats-server did not start: " + process_->Log());
}

std::string NatsServer::url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
std::string NatsServer::Log() const { return process_ ? process_->Log() : ""; }

RedisServer::RedisServer(bool durable) : RedisServer(durable, "") {}

RedisServer::RedisServer(bool durable, const std::string& rdb_path) : port_(FreePort()), durable_(durable) {
  // Without an append-only file, redis-server loads dump.rdb from its directory.
  if (!rdb_path.empty()) std::filesystem::copy_file(rdb_path, dir_.path() + "/dump.rdb");
  Start();
}

RedisServer RedisServer::FromSnapshot(const std::string& rdb_path) { return RedisServer(false, rdb_path); }

void RedisServer::Stop() { process_.reset(); }

void RedisServer::Start() {
  std::vector<std::string> args = {"--bind", "127.0.0.1", "--port", std::to_string(port_), "--dir", dir_.path(),
                                   "--save", ""};
  if (durable_) args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", "always"});
  else args.insert(args.end(), {"--appendonly", "no"});
  process_ = std::make_unique<Process>(FindBinary("redis-server"), args, std::map<std::string, std::string>{},
                                       dir_.path() + "/redis.log");
  bool ready = WaitFor([&] { return process_->Running() && Command({"PING"}) == "PONG"; }, 10000);
  if (!ready) throw std::runtime_error("redis-server did not start: " + process_->Log());
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

std::vector<std::string> RedisServer::Keys(const std::string& pattern) const {
  std::vector<std::string> keys;
  timeval tv{5, 0};
  redisContext* ctx = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (ctx == nullptr || ctx->err) {
    if (ctx) redisFree(ctx);
    return keys;
  }
  auto* reply = static_cast<redisReply*>(redisCommand(ctx, "KEYS %b", pattern.data(), pattern.size()));
  if (reply != nullptr && reply->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < reply->elements; ++i) keys.emplace_back(reply->element[i]->str, reply->element[i]->len);
  }
  if (reply != nullptr) freeReplyObject(reply);
  redisFree(ctx);
  return keys;
}

int64_t OutboxLength(const RedisServer& redis, const std::string& service) {
  int64_t length = 0;
  for (const auto& key : redis.Keys("ankommen:" + service + ":*:outbox")) {
    length += std::stoll("0" + redis.Command({"XLEN", key}));
  }
  return length;
}

std::string RedisServer::Command(const std::vector<std::string>& argv) const {
  timeval tv{1, 0};
  redisContext* ctx = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (ctx == nullptr || ctx->err) {
    if (ctx) redisFree(ctx);
    return "";
  }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(redisCommandArgv(ctx, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
  std::string out;
  if (reply != nullptr) {
    if (reply->type == REDIS_REPLY_INTEGER) out = std::to_string(reply->integer);
    else if (reply->str != nullptr) out.assign(reply->str, reply->len);
    else if (reply->type == REDIS_REPLY_ARRAY) out = std::to_string(reply->elements);
    freeReplyObject(reply);
  }
  redisFree(ctx);
  return out;
}

ServiceProcess::ServiceProcess(const std::string& binary, const std::string& health_name, const NatsServer& nats,
                               const RedisServer& redis, std::map<std::string, std::string> extra_env)
    : ServiceProcess(binary, health_name, nats, redis.url(), std::move(extra_env)) {}

ServiceProcess::ServiceProcess(const std::string& binary, const std::string& health_name, const NatsServer& nats,
                               const std::string& redis_url, std::map<std::string, std::string> extra_env)
    : binary_(binary), health_name_(health_name), nats_url_(nats.url()), redis_url_(redis_url),
      extra_env_(std::move(extra_env)), grpc_port_(FreePort()), metrics_port_(FreePort()) {
  Launch(extra_env_, /*may_move=*/true);
}

ServiceProcess::~ServiceProcess() {
  if (process_) process_->Stop(SIGTERM, 15000);
}

std::string ServiceProcess::grpc_addr() const { return "127.0.0.1:" + std::to_string(grpc_port_); }

void ServiceProcess::Restart(const std::map<std::string, std::string>& overrides) {
  if (process_) process_->Stop(SIGTERM, 15000);
  auto env = extra_env_;
  for (const auto& [name, value] : overrides) env[name] = value;
  Launch(env, /*may_move=*/false);
}

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A service started with TLS is asked for its health over TLS, with the
// client certificate the test hands it (the same variables a client reads).
std::shared_ptr<grpc::ChannelCredentials> HealthCredentials(const std::map<std::string, std::string>& env) {
  auto ca = env.find("ANKOMMEN_TLS_CA_FILE");
  if (env.find("ANKOMMEN_TLS_CERT_FILE") == env.end() || ca == env.end()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFile(ca->second);
  if (auto cert = env.find("ANKOMMEN_TLS_CLIENT_CERT_FILE"); cert != env.end()) {
    options.pem_cert_chain = ReadFile(cert->second);
    options.pem_private_key = ReadFile(env.at("ANKOMMEN_TLS_CLIENT_KEY_FILE"));
  }
  return grpc::SslCredentials(options);
}

}  // namespace

void ServiceProcess::Launch(const std::map<std::string, std::string>& extra_env, bool may_move) {
  // A port picked free can still be taken by another process before the
  // service binds it; then the service stops at once, and it is started
  // again on other ports (unless the test chose the addresses itself).
  const bool own_ports = may_move && !extra_env.contains("ANKOMMEN_GRPC_ADDR") && !extra_env.contains("ANKOMMEN_METRICS_ADDR");
  for (int attempt = 1;; ++attempt) {
    if (LaunchOnce(extra_env)) return;
    const std::string log = process_->Log();
    const bool port_taken = !process_->Running() && (log.find("cannot listen on") != std::string::npos ||
                                                     log.find("binding to port") != std::string::npos);
    if (!own_ports || !port_taken || attempt == 3) throw std::runtime_error(binary_ + " did not become SERVING: " + log);
    grpc_port_ = FreePort();
    metrics_port_ = FreePort();
  }
}

bool ServiceProcess::LaunchOnce(const std::map<std::string, std::string>& extra_env) {
  std::map<std::string, std::string> env = {
      {"ANKOMMEN_GRPC_ADDR", grpc_addr()},
      {"ANKOMMEN_METRICS_ADDR", "127.0.0.1:" + std::to_string(metrics_port_)},
      {"ANKOMMEN_NATS_URL", nats_url_},
      {"ANKOMMEN_REDIS_URL", redis_url_},
      // Most tests register the one sample family again and again; the tests
      // of the duplicate review itself ask for "hold", the district default.
      {"ANKOMMEN_REGISTRY_DUPLICATES", "flag"},
      // Likewise most tests look at placements, not at the schools office's
      // confirmation of them; its tests ask for "on", the district default.
      {"ANKOMMEN_SCHOOLS_CONFIRM", "off"},
      // Tests call without tokens on loopback, as development; the security
      // tests ask for ANKOMMEN_AUTH=jwt.
      {"ANKOMMEN_AUTH", "off"},
      {"ANKOMMEN_DEVELOPMENT", "on"},
  };
  for (const auto& [k, v] : extra_env) env[k] = v;
  process_ = std::make_unique<Process>(binary_, std::vector<std::string>{}, env, dir_.path() + "/service.log");
  bool serving = false;
  WaitFor([&] {
    if (!process_->Running()) return true;  // it stopped: no use waiting on
    // A fresh channel per try: a channel that met a refused connection waits
    // out its reconnect backoff (seconds) before it tries again.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = grpc::health::v1::Health::NewStub(grpc::CreateCustomChannel(grpc_addr(), HealthCredentials(env), args));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(health_name_);
    grpc::health::v1::HealthCheckResponse resp;
    serving = stub->Check(&ctx, req, &resp).ok() && resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
    return serving;
  }, 20000);
  return serving;
}

bool WaitUntil(const std::function<bool()>& done, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace ankommen::testing
