// openedx_events_cpp._core: the C++ event bus behind the Python package (python/openedx_events_cpp).
//
// The Python side owns Django settings, openedx-events' signals and their attrs classes; it talks to
// this module in JSON views (the reference's to_dict() form: dict, list, str, int, float, bool,
// None), settings as the strings the environment would hold, and EventsMetadata.to_json_data().
//
// The GIL: every call into the library runs with the GIL released (the library's threads log, and
// the log sink takes the GIL to hand the line to Python's logging). A consumer re-emits each event
// on its C++ signal; an erased receiver, connected once to every catalog signal, takes the GIL and
// calls the Python callback of the consumer running on that thread. An exception there is a
// receiver error, so the C++ consumer's failure policy (dead letters) applies.
#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "openedx_events/bus/event_bus.hpp"
#include "openedx_events/bus/settings.hpp"
#include "openedx_events/bus/termination.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/metadata.hpp"
#include "openedx_events/runtime_signal.hpp"
#include "openedx_events/signal.hpp"

namespace nb = nanobind;
namespace bus = openedx_events::bus;
using openedx_events::EventsMetadata;
using openedx_events::SignalBase;
using json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 100;

// Python object → JSON (the to_dict() form). bool before int: bool is an int subclass in Python.
json from_py(nb::handle h, int depth = 0) {
  if (depth > kMaxDepth) throw nb::value_error("data nested deeper than 100 levels");
  PyObject* o = h.ptr();
  if (o == Py_None) return nullptr;
  if (PyBool_Check(o)) return o == Py_True;
  if (PyLong_Check(o)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow == 0) {
      if (v == -1 && PyErr_Occurred()) throw nb::python_error();
      return static_cast<std::int64_t>(v);
    }
    if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(o);
      if (PyErr_Occurred()) throw nb::python_error();
      return static_cast<std::uint64_t>(u);
    }
    throw nb::value_error("integer out of range");
  }
  if (PyFloat_Check(o)) return PyFloat_AS_DOUBLE(o);
  if (PyUnicode_Check(o)) {
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(o, &size);
    if (text == nullptr) throw nb::python_error();
    return std::string(text, static_cast<std::size_t>(size));
  }
  if (PyDict_Check(o)) {
    json object = json::object();
    PyObject* key = nullptr;
    PyObject* value = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(o, &pos, &key, &value)) {
      if (!PyUnicode_Check(key)) throw nb::type_error("dict keys must be str");
      Py_ssize_t size = 0;
      const char* text = PyUnicode_AsUTF8AndSize(key, &size);
      if (text == nullptr) throw nb::python_error();
      object[std::string(text, static_cast<std::size_t>(size))] = from_py(value, depth + 1);
    }
    return object;
  }
  if (PyList_Check(o) || PyTuple_Check(o)) {
    json array = json::array();
    for (nb::handle item : nb::borrow<nb::sequence>(h)) array.push_back(from_py(item, depth + 1));
    return array;
  }
  throw nb::type_error(("cannot convert a " + std::string(nb::type_name(h.type()).c_str()) +
                        " to the JSON view (expected the to_dict() form)").c_str());
}

// JSON → Python object.
template <class Json>
nb::object to_py(const Json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return nb::none();
    case nlohmann::json::value_t::boolean: return nb::bool_(j.template get<bool>());
    case nlohmann::json::value_t::number_integer:
      return nb::steal(PyLong_FromLongLong(j.template get<std::int64_t>()));
    case nlohmann::json::value_t::number_unsigned:
      return nb::steal(PyLong_FromUnsignedLongLong(j.template get<std::uint64_t>()));
    case nlohmann::json::value_t::number_float: return nb::float_(j.template get<double>());
    case nlohmann::json::value_t::string: {
      const auto& s = j.template get_ref<const std::string&>();
      return nb::str(s.data(), s.size());
    }
    case nlohmann::json::value_t::array: {
      nb::list list;
      for (const auto& item : j) list.append(to_py(item));
      return list;
    }
    case nlohmann::json::value_t::object: {
      nb::dict dict;
      for (auto it = j.begin(); it != j.end(); ++it) dict[nb::str(it.key().data(), it.key().size())] = to_py(it.value());
      return dict;
    }
    case nlohmann::json::value_t::binary: {
      const auto& b = j.get_binary();
      return nb::bytes(reinterpret_cast<const char*>(b.data()), b.size());
    }
    case nlohmann::json::value_t::discarded: break;
  }
  return nb::none();
}

// ---- Logging: the library's spdlog lines go to a Python callable (logging), under the GIL ----

std::atomic<bool> g_python_logging{false};
PyObject* g_log_handler = nullptr;  // guarded by the GIL; never destroyed at static destruction

bool python_is_usable() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsInitialized() && !Py_IsFinalizing();
#else
  return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

// spdlog levels trace..critical → Python's logging levels.
int python_level(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return 5;
    case spdlog::level::debug: return 10;
    case spdlog::level::info: return 20;
    case spdlog::level::warn: return 30;
    case spdlog::level::err: return 40;
    case spdlog::level::critical: return 50;
    default: return 20;
  }
}

// The GIL serializes the Python calls, so the sink itself needs no mutex (one would deadlock
// with a thread that holds the GIL and logs).
class PythonSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (g_python_logging.load(std::memory_order_acquire) && python_is_usable()) {
      nb::gil_scoped_acquire gil;
      if (g_log_handler != nullptr) {
        try {
          const nb::handle handler(g_log_handler);
          handler(python_level(msg.level), nb::str(msg.payload.data(), msg.payload.size()));
          return;
        } catch (nb::python_error& e) {
          e.discard_as_unraisable("openedx_events_cpp log handler");
          return;
        }
      }
    }
    std::lock_guard lock(stderr_mutex_);
    fallback_.log(msg);
  }
  void flush_() override {}

 private:
  std::mutex stderr_mutex_;
  spdlog::sinks::stderr_sink_mt fallback_;
};

void set_log_handler(nb::object handler) {
  if (g_log_handler != nullptr) Py_DECREF(g_log_handler);
  g_log_handler = handler.is_none() ? nullptr : handler.release().ptr();
  g_python_logging.store(g_log_handler != nullptr, std::memory_order_release);
}

void install_python_sink() {
  auto& logger = openedx_events::logger();
  logger.sinks().clear();
  logger.sinks().push_back(std::make_shared<PythonSink>());
}

// ---- Settings ----

bus::Settings load_settings(const std::map<std::string, std::string>& values) {
  return bus::Settings::load(values, std::nullopt);
}

// Validates the values and makes them the C++ side's current settings.
void configure(const std::map<std::string, std::string>& values) {
  bus::Settings settings = load_settings(values);
  nb::gil_scoped_release release;
  bus::set_current_settings(std::move(settings));
}

std::chrono::milliseconds seconds_to_ms(double seconds) { return bus::seconds_setting_to_ms(seconds); }

// ---- Producer ----

class Producer {
 public:
  Producer(const std::string& backend, const std::map<std::string, std::string>& values) {
    bus::Settings settings = load_settings(values);
    settings.event_bus_producer = backend;
    nb::gil_scoped_release release;
    producer_ = bus::make_producer_or_throw(settings);
  }
  ~Producer() { close(); }
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  void send(const std::string& event_type, const std::string& topic, const std::string& event_key_field,
            nb::handle data, nb::handle metadata) {
    const json data_view = from_py(data);
    const json metadata_view = from_py(metadata);
    nb::gil_scoped_release release;
    bus::EventBusProducer& producer = live();
    SignalBase& signal = SignalBase::get_signal_by_type(event_type);
    const auto event_data = signal.make_data_from_json(data_view);
    const EventsMetadata event_metadata = EventsMetadata::from_json_data(metadata_view);
    producer.send_erased(event_data.ref(), topic, event_key_field, event_metadata);
  }

  void flush() {
    nb::gil_scoped_release release;
    live().flush();
  }

  std::uint64_t prepare_for_shutdown(double timeout_seconds) {
    nb::gil_scoped_release release;
    return live().prepare_for_shutdown(seconds_to_ms(timeout_seconds));
  }

  std::tuple<std::uint64_t, std::uint64_t, std::uint64_t> delivery_counts() const {
    const bus::DeliveryCounts c = producer_ ? producer_->delivery_counts() : bus::DeliveryCounts{};
    return {c.sent, c.delivered, c.failed};
  }

  // In a child after fork(): forgets the C++ producer without destroying it, a deliberate leak.
  // Its threads (the async writer, librdkafka's) do not exist in the child, its socket or SQLite
  // connection is the parent's, and its queue holds the parent's pending events, which the parent
  // delivers: destroying or flushing it here would hang, or send them twice.
  void abandon() noexcept { (void)producer_.release(); }

  // Destroys the C++ producer (which waits for its queue up to EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT).
  void close() {
    if (!producer_) return;
    if (PyGILState_Check()) {
      nb::gil_scoped_release release;
      producer_.reset();
    } else {
      producer_.reset();
    }
  }

 private:
  bus::EventBusProducer& live() {
    if (!producer_) throw std::runtime_error("the producer was closed");
    return *producer_;
  }
  std::unique_ptr<bus::EventBusProducer> producer_;
};

// ---- Consumer ----

// The Python callback of the consumer running on this thread: callback(event_type, data, metadata).
thread_local PyObject* t_callback = nullptr;

void on_bus_event(openedx_events::EventDataRef event, const EventsMetadata& metadata, bool from_event_bus) {
  PyObject* callback = t_callback;
  if (callback == nullptr || !from_event_bus) return;
  const SignalBase& signal = event.signal();
  const json data_view = event.to_json();
  const auto metadata_view = metadata.to_json_data();
  bool failed = false;
  std::string error;
  {
    nb::gil_scoped_acquire gil;
    try {
      const nb::handle python_callback(callback);
      python_callback(nb::str(signal.event_type().data(), signal.event_type().size()), to_py(data_view),
                      to_py(metadata_view));
    } catch (nb::python_error& e) {
      failed = true;
      try {
        error = nb::type_name(e.type()).c_str();
        const std::string text = nb::str(e.value()).c_str();
        if (!text.empty()) error += ": " + text;
      } catch (...) {
        error = "a Python receiver failed";
      }
    }
  }
  if (failed) throw std::runtime_error(error);
}

// on_bus_event is connected once to every signal a consumer may re-emit on: the compiled catalog,
// and each signal declared from Python (declare_signal), which may shadow a compiled one.
std::mutex g_receivers_mutex;
std::set<const SignalBase*> g_signals_with_receiver;

void connect_python_receiver(SignalBase& signal) {
  static std::vector<openedx_events::Connection> connections;  // for the process's lifetime
  std::lock_guard lock(g_receivers_mutex);
  if (!g_signals_with_receiver.insert(&signal).second) return;
  connections.push_back(signal.connect_erased(on_bus_event, "python"));
}

void connect_receivers_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (SignalBase* signal : openedx_events::catalog_signals()) connect_python_receiver(*signal);
  });
}

// Makes a Python signal known by type with its schema (the JSON text of openedx-events'
// AvroSignalSerializer(signal).schema): the compiled signal when its schema is the same, otherwise
// a runtime signal (openedx_events/runtime_signal.hpp). Returns whether a runtime signal was made.
bool declare_signal(const std::string& event_type, const std::string& schema_text, std::int64_t minor_version) {
  json schema = json::parse(schema_text);
  nb::gil_scoped_release release;
  connect_receivers_once();
  SignalBase& signal = openedx_events::declare_signal_for_schema(event_type, schema, minor_version);
  connect_python_receiver(signal);
  return dynamic_cast<openedx_events::RuntimeSignal*>(&signal) != nullptr;
}

class Consumer {
 public:
  Consumer(const std::string& backend, const std::map<std::string, std::string>& values, const std::string& topic,
           const std::string& group_id, nb::handle extra) {
    bus::Settings settings = load_settings(values);
    settings.event_bus_consumer = backend;
    const json extra_view = from_py(extra);
    nb::gil_scoped_release release;
    consumer_ = bus::make_single_consumer(settings, topic, group_id, extra_view);
  }

  // Runs the consumer on this thread until stop() (or, with handle_signals, SIGTERM/SIGINT: the
  // event in hand is finished and acknowledged, then this returns). Returns whether a signal
  // stopped it.
  bool consume(nb::object callback, bool handle_signals) {
    connect_receivers_once();
    if (t_callback != nullptr) throw std::logic_error("a consumer is already running on this thread");
    t_callback = callback.ptr();
    struct Reset {
      ~Reset() { t_callback = nullptr; }
    } reset;
    bool stopped_by_signal = false;
    nb::gil_scoped_release release;
    std::optional<bus::TerminationHandler> termination;
    if (handle_signals) {
      bus::TerminationOptions options;
      options.consumers = {consumer_.get()};
      options.exit_after = false;
      options.shutdown_timeout = std::chrono::milliseconds(0);
      termination.emplace(std::move(options));
    }
    consumer_->consume_indefinitely();
    if (termination) stopped_by_signal = termination->stop_requested();
    return stopped_by_signal;
  }

  void stop() noexcept { consumer_->request_stop(); }

 private:
  std::unique_ptr<bus::EventBusConsumer> consumer_;
};

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "The C++ event bus of openedx-events-cpp (internal; use openedx_events_cpp.redis/kafka/embedded)";
  (void)openedx_events::catalog_signals();
  install_python_sink();

  nb::exception<bus::SettingsError>(m, "SettingsError", PyExc_ValueError);
  nb::exception<bus::ProducerSetupError>(m, "ProducerSetupError", PyExc_RuntimeError);
  nb::exception<bus::NoConsumerConfiguredError>(m, "NoConsumerConfiguredError", PyExc_RuntimeError);

  m.def("set_log_handler", &set_log_handler, nb::arg("handler").none(),
        "handler(levelno, message) receives the library's log lines; None: stderr");
  m.def("configure", &configure, nb::arg("settings"),
        "Validate settings (name -> text, as in the environment) and make them the C++ side's current ones");
  m.def("declare_signal", &declare_signal, nb::arg("event_type"), nb::arg("schema"), nb::arg("minor_version"),
        "Declare an event type with its Avro schema (JSON text); True when it needs a runtime signal");
  m.def("event_types", [] {
    std::vector<std::string> types;
    for (SignalBase* signal : openedx_events::catalog_signals()) types.push_back(signal->event_type());
    nb::list list;
    for (const auto& t : types) list.append(nb::str(t.data(), t.size()));
    return list;
  });

  nb::class_<Producer>(m, "Producer")
      .def(nb::init<const std::string&, const std::map<std::string, std::string>&>(), nb::arg("backend"),
           nb::arg("settings"))
      .def("send", &Producer::send, nb::arg("event_type"), nb::arg("topic"), nb::arg("event_key_field"),
           nb::arg("data"), nb::arg("metadata"))
      .def("flush", &Producer::flush)
      .def("prepare_for_shutdown", &Producer::prepare_for_shutdown, nb::arg("timeout_seconds"))
      .def("delivery_counts", &Producer::delivery_counts)
      .def("close", &Producer::close)
      .def("abandon", &Producer::abandon, "after fork(), in the child: forget the producer without destroying it");

  nb::class_<Consumer>(m, "Consumer")
      .def(nb::init<const std::string&, const std::map<std::string, std::string>&, const std::string&,
                    const std::string&, nb::handle>(),
           nb::arg("backend"), nb::arg("settings"), nb::arg("topic"), nb::arg("group_id"), nb::arg("extra"))
      .def("consume", &Consumer::consume, nb::arg("callback"), nb::arg("handle_signals"))
      .def("stop", &Consumer::stop);
}
