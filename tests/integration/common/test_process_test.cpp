// The test harness's servers end with their test, even when it crashes: a
// crashed test left its redis-server and nats-server running before.
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "support/servers.h"

namespace ankommen {
namespace {

// Gone, or a zombie nobody has reaped yet (a container's first process may not).
bool Ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, name, state;
  if (!(stat >> pid_field >> name >> state)) return true;
  return state == "Z" || state == "X";
}

TEST(TestProcessTest, AServerEndsWithATestThatCrashes) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t test = fork();
  ASSERT_GE(test, 0);
  if (test == 0) {
    // The "test": starts a server, says its pid, and dies without cleaning up.
    close(pipe_fds[0]);
    testing::TempDir dir;
    auto* server = new testing::Process("/bin/sleep", {"60"}, {}, dir.path() + "/sleep.log");
    const pid_t pid = server->pid();
    if (write(pipe_fds[1], &pid, sizeof pid) != sizeof pid) _exit(2);
    _exit(1);  // no destructor runs, as in a crash
  }
  close(pipe_fds[1]);
  pid_t server = -1;
  ASSERT_EQ(read(pipe_fds[0], &server, sizeof server), static_cast<ssize_t>(sizeof server));
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(test, &status, 0), test);
  ASSERT_GT(server, 0);
  EXPECT_TRUE(testing::WaitUntil([&] { return Ended(server); }, 5000)) << "the server outlived its test";
  if (!Ended(server)) kill(server, SIGKILL);
}

}  // namespace
}  // namespace ankommen
