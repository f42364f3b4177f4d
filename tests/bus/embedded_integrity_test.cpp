// A damaged embedded-bus file is refused when it is opened, with SQLite's account of the damage,
// instead of taking new entries (and logging them delivered) while consumers fail on old ones.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "openedx_events/bus/embedded.hpp"
#include "openedx_events/catalog.hpp"

namespace oe = openedx_events;
namespace bus = openedx_events::bus;

namespace {

class EmbeddedIntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("oe-integrity-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    settings_.embedded_bus_path = dir_ / "bus.sqlite3";
    settings_.redis_audit_logging_enabled = false;
    settings_.redis_stream_max_len = 0;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void send_logins(bus::EventBusProducer& producer, int count) {
    oe::learning::UserEvent data;
    data.user.is_active = true;
    data.user.pii = {std::string(1000, 'n'), "u@example.com", "U"};  // spreads the entries over many pages
    for (int i = 1; i <= count; ++i) {
      data.user.id = i;
      producer.send(oe::learning::SESSION_LOGIN_COMPLETED, "t", "user.id", data,
                    oe::learning::SESSION_LOGIN_COMPLETED.generate_signal_metadata());
    }
  }

  std::filesystem::path dir_;
  bus::Settings settings_;
};

TEST_F(EmbeddedIntegrityTest, ACorruptFileIsRefusedAtOpen) {
  {
    bus::EmbeddedProducer producer(settings_);
    send_logins(producer, 300);
    ASSERT_EQ(producer.delivery_counts().delivered, 300u);
  }  // the last connection checkpoints the WAL into the file
  const auto size = std::filesystem::file_size(settings_.embedded_bus_path);
  ASSERT_GT(size, 40u * 4096u);
  {
    // Garbage over one page in the middle of the entries table, as a bad disk or a stray write would.
    std::fstream file(settings_.embedded_bus_path, std::ios::in | std::ios::out | std::ios::binary);
    std::mt19937 random(7);
    std::string garbage(4096, '\0');
    for (auto& c : garbage) c = static_cast<char>(random());
    file.seekp(20 * 4096);
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  try {
    bus::EmbeddedProducer producer(settings_);
    send_logins(producer, 1);
    FAIL() << "the corrupt file was opened; the send was counted " << producer.delivery_counts().delivered
           << " delivered";
  } catch (const bus::EmbeddedBusError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("the database file is corrupt (PRAGMA quick_check:"), std::string::npos) << what;
    EXPECT_NE(what.find(settings_.embedded_bus_path.string()), std::string::npos) << what;
  }
}

TEST_F(EmbeddedIntegrityTest, AHealthyFileOpensAgain) {
  {
    bus::EmbeddedProducer producer(settings_);
    send_logins(producer, 50);
  }
  bus::EmbeddedProducer producer(settings_);
  send_logins(producer, 1);
  EXPECT_EQ(producer.delivery_counts().delivered, 1u);
}

}  // namespace
