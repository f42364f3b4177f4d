// Encode/decode throughput of the typed Avro codec on three catalog events: a small one
// (STUDENT_REGISTRATION_COMPLETED), a nested one (COURSE_ENROLLMENT_CREATED) and a map/list-heavy
// one (COURSE_NOTIFICATION_REQUESTED). The data is bench/data/<event type>.json, the same files
// bench/compare_with_reference.py feeds the Python reference, so the two measure the same work.
// Each encode produces a fresh byte string and each decode a fresh data object, as the
// reference's serialize_event_data_to_bytes / deserialize_bytes_to_event_data do.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "openedx_events/catalog.hpp"

namespace {

template <class Signal>
typename Signal::data_type load(const Signal& signal) {
  std::ifstream in(std::string(OPENEDX_EVENTS_BENCH_DATA_DIR) + "/" + signal.event_type() + ".json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return signal.from_json(nlohmann::json::parse(text));
}

template <auto& Signal>
void BM_Encode(benchmark::State& state) {
  const auto data = load(Signal);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = Signal.serialize(data);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

template <auto& Signal>
void BM_Decode(benchmark::State& state) {
  const std::string bytes = Signal.serialize(load(Signal));
  for (auto _ : state) {
    auto data = Signal.deserialize(bytes);
    benchmark::DoNotOptimize(data);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

using namespace openedx_events::learning;
BENCHMARK(BM_Encode<STUDENT_REGISTRATION_COMPLETED>)->Name("encode/org.openedx.learning.student.registration.completed.v1");
BENCHMARK(BM_Decode<STUDENT_REGISTRATION_COMPLETED>)->Name("decode/org.openedx.learning.student.registration.completed.v1");
BENCHMARK(BM_Encode<COURSE_ENROLLMENT_CREATED>)->Name("encode/org.openedx.learning.course.enrollment.created.v1");
BENCHMARK(BM_Decode<COURSE_ENROLLMENT_CREATED>)->Name("decode/org.openedx.learning.course.enrollment.created.v1");
BENCHMARK(BM_Encode<COURSE_NOTIFICATION_REQUESTED>)->Name("encode/org.openedx.learning.course.notification.requested.v1");
BENCHMARK(BM_Decode<COURSE_NOTIFICATION_REQUESTED>)->Name("decode/org.openedx.learning.course.notification.requested.v1");

}  // namespace

BENCHMARK_MAIN();
