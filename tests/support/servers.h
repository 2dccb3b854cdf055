// Real servers for integration tests: nats-server and redis-server started on
// free loopback ports in a temporary directory, and the project's own service
// binaries. Each is stopped (and its files removed) when the object goes.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ankommen::testing {

// A port nobody listens on right now.
int FreePort();

// A temporary directory removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process with its output in a log file.
class Process {
 public:
  Process(const std::string& binary, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env, const std::string& log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends the signal and waits up to timeout_ms; returns the exit status or -1.
  int Stop(int signal, int timeout_ms = 10000);
  // Waits for the process to end by itself; its exit status, or -1 (killed) after timeout_ms.
  int Wait(int timeout_ms);
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  bool reaped_ = false;
  int status_ = 0;
};

class NatsServer {
 public:
  // extra_args for nats-server, e.g. {"--user", "u", "--pass", "p"} for a
  // server that only lets in who logs in.
  explicit NatsServer(std::vector<std::string> extra_args = {});
  int port() const { return port_; }
  std::string url() const;
  std::string Log() const;
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  // Stops the server (SIGKILL: an outage, not a shutdown) and starts it again
  // on the same port with the same JetStream store.
  void Stop();
  void Start();
  // SIGSTOP: the server holds its connections and answers nothing, as one
  // that hangs would. Stop() still kills it.
  void Pause();

 private:
  TempDir dir_;
  int port_;
  std::vector<std::string> extra_args_;
  std::unique_ptr<Process> process_;
};

class RedisServer {
 public:
  // durable: an append-only file written on every command (appendfsync
  // always), so that a restart (Stop, Start) loses nothing acknowledged.
  explicit RedisServer(bool durable = false);
  // Started on a copy of an RDB file (the state another build wrote).
  static RedisServer FromSnapshot(const std::string& rdb_path);
  int port() const { return port_; }
  std::string url() const;
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  // Runs a command through redis-cli semantics (hiredis), returns the reply as text.
  std::string Command(const std::vector<std::string>& argv) const;
  // The keys matching a glob pattern (KEYS: for tests only).
  std::vector<std::string> Keys(const std::string& pattern) const;
  // Stops the server (SIGKILL: an outage) and starts it again on the same
  // port with the same files.
  void Stop();
  void Start();

 private:
  RedisServer(bool durable, const std::string& rdb_path);

  TempDir dir_;
  int port_;
  bool durable_;
  std::unique_ptr<Process> process_;
};

// Events a service has written with its state and not yet published: the
// entries of its outbox streams in Redis (the relay deletes each once it is
// on JetStream). 0 means everything it committed so far is published.
// service "*": every service's.
int64_t OutboxLength(const RedisServer& redis, const std::string& service);

// An ankommen service binary pointed at the given servers, ready when its
// gRPC health check answers SERVING.
class ServiceProcess {
 public:
  ServiceProcess(const std::string& binary, const std::string& health_name, const NatsServer& nats,
                 const RedisServer& redis, std::map<std::string, std::string> extra_env = {});
  // The same against any Redis URL (a TLS tunnel to one, say).
  ServiceProcess(const std::string& binary, const std::string& health_name, const NatsServer& nats,
                 const std::string& redis_url, std::map<std::string, std::string> extra_env = {});
  ~ServiceProcess();
  std::string grpc_addr() const;
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  Process& process() { return *process_; }
  // Starts again on the same ports (after Stop or a kill), with the
  // environment it was made with, and `overrides` over it for this start.
  void Restart(const std::map<std::string, std::string>& overrides = {});

 private:
  // may_move: another start on other ports when the first found its port taken.
  void Launch(const std::map<std::string, std::string>& extra_env, bool may_move);
  bool LaunchOnce(const std::map<std::string, std::string>& extra_env);

  std::string binary_, health_name_;
  std::string nats_url_, redis_url_;
  std::map<std::string, std::string> extra_env_;
  TempDir dir_;
  int grpc_port_, metrics_port_;
  std::unique_ptr<Process> process_;
};

// Polls `done` every 50 ms until it is true (true) or the time is up (false).
bool WaitUntil(const std::function<bool()>& done, int timeout_ms = 15000);

// GET http://127.0.0.1:port/path; the body, or "" on failure.
std::string HttpGet(int port, const std::string& path);

// Finds a server binary in the usual places (nats-server lives in /usr/sbin).
std::string FindBinary(const std::string& name);

}  // namespace ankommen::testing
