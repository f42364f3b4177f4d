// The signal registry, receiver storage and the non-template parts of signals.
//
// Registry invariant: a signal is findable by its event type from the end of its construction to
// the start of its destruction; a later declaration of the same type shadows an earlier one (the
// reference's `_mapping[event_type] = instance`), and destroying the later one uncovers the earlier.
#include <algorithm>
#include <span>
#include <unordered_set>

#include "openedx_events/catalog.hpp"
#include "openedx_events/python_json.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events {

namespace {

struct Registry {
  std::mutex mutex;
  std::vector<SignalBase*> in_declaration_order;
  std::vector<AnyEventObserver*> observers;
};

Registry& registry() {
  static Registry instance;  // function-local: safe to use from other globals' constructors
  return instance;
}

}  // namespace

SenderValidationError::SenderValidationError(std::string_view event_type, std::string_view message)
    : std::invalid_argument("SenderValidationError " + std::string(event_type) + ": " + std::string(message)) {}

UnknownEventTypeError::UnknownEventTypeError(std::string_view event_type)
    : std::out_of_range("no Open edX event of type '" + std::string(event_type) + "' is declared") {}

std::string ReceiverResult::error_message() const {
  if (!error) return {};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

void Connection::disconnect() {
  if (auto slots = slots_.lock()) slots->remove(id_);
  slots_.reset();
}

bool Connection::connected() const {
  const auto slots = slots_.lock();
  if (!slots) return false;
  std::lock_guard lock(slots->mutex);
  return std::any_of(slots->slots.begin(), slots->slots.end(), [&](const auto& s) { return s.id == id_; });
}

namespace detail {

std::uint64_t SlotList::add(std::string name, std::shared_ptr<const void> fn) {
  std::lock_guard lock(mutex);
  const std::uint64_t id = next_id++;
  if (name.empty()) name = "receiver#" + std::to_string(id);
  slots.push_back(Slot{id, std::move(name), std::move(fn)});
  return id;
}

bool SlotList::remove(std::uint64_t id) {
  std::lock_guard lock(mutex);
  const auto it = std::find_if(slots.begin(), slots.end(), [&](const Slot& s) { return s.id == id; });
  if (it == slots.end()) return false;
  slots.erase(it);
  return true;
}

std::vector<SlotList::Slot> SlotList::snapshot() {
  std::lock_guard lock(mutex);
  return slots;
}

}  // namespace detail

SignalBase::SignalBase(std::string event_type, std::int64_t minor_version)
    : event_type_(std::move(event_type)), minor_version_(minor_version) {
  register_signal();
}

SignalBase::SignalBase(DeferRegistration, std::string event_type, std::int64_t minor_version)
    : event_type_(std::move(event_type)), minor_version_(minor_version) {}

void SignalBase::register_signal() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.in_declaration_order.push_back(this);
}

SignalBase::~SignalBase() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::erase(r.in_declaration_order, this);
}

EventsMetadata SignalBase::generate_signal_metadata(std::optional<DateTime> time) const {
  return EventsMetadata::create(event_type_, minor_version_, std::move(time));
}

std::string SignalBase::avro_schema_text() const { return python_json_dumps(avro_schema(), {.indent = 2}); }

SignalBase* SignalBase::find_signal_by_type(std::string_view event_type) noexcept {
  (void)catalog_signals();  // make sure the catalog is linked in and constructed
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = std::find_if(r.in_declaration_order.rbegin(), r.in_declaration_order.rend(),
                               [&](const SignalBase* s) { return s->event_type() == event_type; });
  return it == r.in_declaration_order.rend() ? nullptr : *it;
}

SignalBase& SignalBase::get_signal_by_type(std::string_view event_type) {
  if (SignalBase* s = find_signal_by_type(event_type)) return *s;
  throw UnknownEventTypeError(event_type);
}

std::vector<SignalBase*> SignalBase::all_events() {
  const auto catalog = catalog_signals();
  std::vector<SignalBase*> out(catalog.begin(), catalog.end());
  const std::unordered_set<SignalBase*> in_catalog(catalog.begin(), catalog.end());
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (SignalBase* s : r.in_declaration_order) {
    if (!in_catalog.contains(s)) out.push_back(s);
  }
  return out;
}

void SignalBase::add_observer(AnyEventObserver* observer) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.observers.push_back(observer);
}

void SignalBase::remove_observer(AnyEventObserver* observer) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::erase(r.observers, observer);
}

void SignalBase::notify_observers(EventDataRef event, const EventsMetadata& metadata, bool from_event_bus) const {
  std::vector<AnyEventObserver*> observers;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    observers = r.observers;
  }
  for (AnyEventObserver* observer : observers) {
    // An observer (the bus publisher) must never turn a successful send into a failure; it reports
    // its own errors.
    try {
      observer->on_event(event, metadata, from_event_bus);
    } catch (...) {
    }
  }
}

}  // namespace openedx_events
