// The consumer side's result line of the produce→consume benchmarks (bus_bench.cpp,
// kafka_raw_bench.cpp; the harnesses in compare_*_with_reference.py read it):
//   {"count", "first_sent_us", "last_received_us", "latency_us": {"p50", "p99", "max"}}
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

namespace bench {

inline std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What a consumer saw: each event's latency (receive time − send time), in the order received.
struct ConsumerResult {
  std::vector<std::int64_t> latencies_us;
  std::int64_t first_sent_us = 0;
  std::int64_t last_received_us = 0;

  void add(std::int64_t sent_us, std::int64_t received_us) {
    if (latencies_us.empty()) first_sent_us = sent_us;
    latencies_us.push_back(received_us - sent_us);
    last_received_us = received_us;
  }

  void print() {
    const auto at = [&](double p) -> std::int64_t {
      if (latencies_us.empty()) return 0;
      const auto k = static_cast<std::size_t>(p * static_cast<double>(latencies_us.size() - 1));
      std::nth_element(latencies_us.begin(), latencies_us.begin() + static_cast<std::ptrdiff_t>(k), latencies_us.end());
      return latencies_us[k];
    };
    const std::int64_t p50 = at(0.50);
    const std::int64_t p99 = at(0.99);
    const std::int64_t max = latencies_us.empty() ? 0 : *std::max_element(latencies_us.begin(), latencies_us.end());
    std::cout << nlohmann::json{{"count", latencies_us.size()},
                                {"first_sent_us", first_sent_us},
                                {"last_received_us", last_received_us},
                                {"latency_us", {{"p50", p50}, {"p99", p99}, {"max", max}}}}
                     .dump()
              << std::endl;
  }
};

}  // namespace bench
