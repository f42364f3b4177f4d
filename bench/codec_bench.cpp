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

// Decoding into one reused object, as a consumer loop can: strings, vectors and map nodes keep
// their memory from one event to the next (codec_traits decodes over existing values).
template <auto& Signal>
void BM_DecodeInto(benchmark::State& state) {
  const std::string bytes = Signal.serialize(load(Signal));
  typename std::remove_cvref_t<decltype(Signal)>::data_type data{};
  for (auto _ : state) {
    Signal.deserialize_into(bytes, data);
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
BENCHMARK(BM_DecodeInto<STUDENT_REGISTRATION_COMPLETED>)->Name("decode_into/org.openedx.learning.student.registration.completed.v1");
BENCHMARK(BM_DecodeInto<COURSE_ENROLLMENT_CREATED>)->Name("decode_into/org.openedx.learning.course.enrollment.created.v1");
BENCHMARK(BM_DecodeInto<COURSE_NOTIFICATION_REQUESTED>)->Name("decode_into/org.openedx.learning.course.notification.requested.v1");

}  // namespace



namespace {
// The custom types' parsers, which decoding calls for every key and datetime field.
void BM_ParseCourseKey(benchmark::State& state) {
  for (auto _ : state) {
    auto key = openedx_events::CourseKey::from_string("course-v1:edX+DemoX+Demo_Course");
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_ParseCourseKey)->Name("parse/CourseKey");

void BM_ParseDateTime(benchmark::State& state) {
  for (auto _ : state) {
    auto time = openedx_events::DateTime::from_isoformat("2026-11-27T14:03:11.482913+00:00");
    benchmark::DoNotOptimize(time);
  }
}
BENCHMARK(BM_ParseDateTime)->Name("parse/DateTime");
}  // namespace
BENCHMARK_MAIN();
