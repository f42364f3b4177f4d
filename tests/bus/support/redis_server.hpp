// Test support shared by the Redis backend's test files: a private redis-server on a free loopback
// port (killed with the test process) and a plain hiredis client to look at it.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log_capture.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <ostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace oe_test {

using namespace std::chrono_literals;

inline constexpr const char* redis_server_binary = "/usr/bin/redis-server";

// ---------------------------------------------------------------------------------------------
// A private redis-server.

inline int free_loopback_port() {
  // Binding port 0 lets the kernel choose a port nobody uses; it is released at once and
  // redis-server binds it right after (a tiny race that does not matter on a test machine).
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

using ReplyPtr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

// A plain hiredis client for looking at (and writing raw entries into) the server.
class RawRedis {
 public:
  explicit RawRedis(int port, int db = 0) {
    const timeval tv{2, 0};
    context_ = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (context_ != nullptr && context_->err == 0) {
      redisSetTimeout(context_, tv);
      if (db != 0) (void)command({"SELECT", std::to_string(db)});
    }
  }
  ~RawRedis() {
    if (context_ != nullptr) redisFree(context_);
  }
  RawRedis(const RawRedis&) = delete;
  RawRedis& operator=(const RawRedis&) = delete;

  bool ok() const { return context_ != nullptr && context_->err == 0; }

  ReplyPtr command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> argvlen;
    for (const auto& a : args) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
    }
    if (!ok()) return ReplyPtr(nullptr, freeReplyObject);
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), argvlen.data()));
    return ReplyPtr(r, freeReplyObject);
  }

  std::string string(const std::vector<std::string>& args) {
    auto r = command(args);
    return r ? std::string(r->str == nullptr ? "" : std::string(r->str, r->len)) : std::string("<no reply>");
  }
  long long integer(const std::vector<std::string>& args) {
    auto r = command(args);
    return (r && r->type == REDIS_REPLY_INTEGER) ? r->integer : -1;
  }
  // Entries of this group not acknowledged yet (XPENDING summary form).
  long long pending_count(const std::string& stream, const std::string& group) {
    auto r = command({"XPENDING", stream, group});
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0) return -1;
    return r->element[0]->integer;
  }
  // Stream ids, oldest first.
  // Every entry of a stream as field → value maps, in id order.
  std::vector<std::map<std::string, std::string>> entries(const std::string& stream) {
    std::vector<std::map<std::string, std::string>> out;
    auto r = command({"XRANGE", stream, "-", "+"});
    if (!r || r->type != REDIS_REPLY_ARRAY) return out;
    for (std::size_t i = 0; i < r->elements; ++i) {
      const redisReply* fields = r->element[i]->element[1];
      auto& entry = out.emplace_back();
      for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
        entry[std::string(fields->element[f]->str, fields->element[f]->len)] =
            std::string(fields->element[f + 1]->str, fields->element[f + 1]->len);
      }
    }
    return out;
  }

  std::vector<std::string> ids(const std::string& stream) {
    std::vector<std::string> out;
    auto r = command({"XRANGE", stream, "-", "+"});
    if (!r || r->type != REDIS_REPLY_ARRAY) return out;
    for (std::size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->element[0]->str);
    return out;
  }

 private:
  redisContext* context_ = nullptr;
};

class RedisServer {
 public:
  explicit RedisServer(std::vector<std::string> extra_args = {}) : extra_args_(std::move(extra_args)) {
    char pattern[] = "/tmp/oe-redis-test-XXXXXX";
    if (::mkdtemp(pattern) != nullptr) dir_ = pattern;
    port_ = free_loopback_port();
  }
  ~RedisServer() {
    stop();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string url(std::string_view suffix = "") const {
    return "redis://127.0.0.1:" + std::to_string(port_) + std::string(suffix);
  }

  // Starts it (again, on the same port and directory after stop()) and waits for PING.
  ::testing::AssertionResult start() {
    if (dir_.empty() || port_ <= 0) return ::testing::AssertionFailure() << "no temp dir or port";
    std::vector<std::string> args{redis_server_binary, "--port",        std::to_string(port_), "--bind", "127.0.0.1",
                                  "--save",            "",              "--appendonly",        "no",     "--dir",
                                  dir_.string(),       "--logfile",     (dir_ / "redis.log").string()};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) return ::testing::AssertionFailure() << "fork failed";
    if (pid_ == 0) {
      // The server dies with the test process even if that one crashes before TearDown.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(redis_server_binary, argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return ::testing::AssertionFailure() << "redis-server exited at start; see " << (dir_ / "redis.log");
      }
      RawRedis probe(port_);
      if (probe.ok() && probe.string({"PING"}) == "PONG") return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(20ms);
    }
    return ::testing::AssertionFailure() << "redis-server did not answer PING within 10 s";
  }

  // SIGKILL: no shutdown save, like a crash.
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

 private:
  std::vector<std::string> extra_args_;
  std::filesystem::path dir_;
  int port_ = -1;
  pid_t pid_ = -1;
};

}  // namespace oe_test
