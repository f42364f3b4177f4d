// Define a new Open edX event whose payload uses a type of our own, generate its Avro schema and
// round-trip its data through Avro bytes — steps 2 to 4 of openedx-events' how-to
// "Add event bus support to an event", in C++.
#include <cassert>
#include <iostream>
#include <openedx_events/keys.hpp>
#include <openedx_events/record.hpp>
#include <openedx_events/signal.hpp>
#include <openedx_events/types/datetime.hpp>
#include <openedx_events/types/serializers.hpp>
#include <stdexcept>
#include <string>

namespace bookstore {

// A type of our own: an ISBN-13, which travels as its 13-digit string.
class Isbn {
 public:
  Isbn() = default;
  static Isbn parse(std::string_view text) {
    if (text.size() != 13 || text.find_first_not_of("0123456789") != std::string_view::npos) {
      throw std::invalid_argument("not an ISBN-13: '" + std::string(text) + "'");
    }
    Isbn isbn;
    isbn.digits_ = text;
    return isbn;
  }
  const std::string& str() const { return digits_; }
  bool empty() const { return digits_.empty(); }
  friend bool operator==(const Isbn&, const Isbn&) = default;

 private:
  std::string digits_;
};

// Step 2: the payload, as plain structs whose fields are listed once.
struct BookData {
  Isbn isbn;
  std::string title;
  std::vector<std::string> authors;
  std::optional<std::int64_t> pages;  // Python: attr.ib(type=int, default=None)
};
OPENEDX_EVENTS_RECORD(BookData, (), (isbn, title, authors, pages))

struct BookPurchaseData {
  BookData book;
  openedx_events::CourseKey course_key;  // the course the book is for
  openedx_events::DateTime purchased_at;
};
OPENEDX_EVENTS_RECORD(BookPurchaseData, (), (book, course_key, purchased_at))

struct BookPurchaseEvent {
  BookPurchaseData purchase;
};
OPENEDX_EVENTS_RECORD(BookPurchaseEvent, (), (purchase))

openedx_events::OpenEdxPublicSignal<BookPurchaseEvent> BOOK_PURCHASED{"org.openedx.learning.book.purchased.v1"};

}  // namespace bookstore

// Teach the Avro codec our type (the C++ counterpart of a CourseKeyAvroSerializer subclass):
// a compile-time specialization, nothing registered at run time.
template <>
struct openedx_events::avro_serializer<bookstore::Isbn> {
  using wire_type = std::string;
  static std::string serialize(const bookstore::Isbn& isbn) { return isbn.str(); }
  static bookstore::Isbn deserialize(std::string&& text) { return bookstore::Isbn::parse(text); }
  static bool is_unset(const bookstore::Isbn& isbn) { return isbn.empty(); }
};

int main() {
  using namespace bookstore;

  // Step 3: the schema, exactly as `generate_avro_schemas` would write it.
  std::cout << BOOK_PURCHASED.avro_schema_text() << "\n";

  // Step 4: serialize the data to Avro bytes and back.
  const BookPurchaseEvent data{{
      .book = {Isbn::parse("9780262033848"), "Introduction to Algorithms", {"Cormen", "Leiserson"}, 1312},
      .course_key = openedx_events::CourseKey::from_string("course-v1:edX+Algo101+2026"),
      .purchased_at = openedx_events::DateTime::from_isoformat("2026-11-27T10:00:00+00:00"),
  }};
  const std::string bytes = BOOK_PURCHASED.serialize(data);
  const BookPurchaseEvent back = BOOK_PURCHASED.deserialize(bytes);
  if (back.purchase.book.isbn != data.purchase.book.isbn || back.purchase.book.pages != 1312 ||
      back.purchase.course_key != data.purchase.course_key) {
    std::cerr << "round trip changed the data\n";
    return 1;
  }
  std::cout << bytes.size() << " Avro bytes; JSON view: " << BOOK_PURCHASED.to_json(back).dump() << "\n";

  // And send it in-process: receivers get the data, the metadata and where it came from.
  auto connection = BOOK_PURCHASED.connect([](const auto& event) {
    std::cout << "received " << event.metadata.event_type << " id=" << event.metadata.id.to_string()
              << " for ISBN " << event.data.purchase.book.isbn.str() << "\n";
  });
  const auto results = BOOK_PURCHASED.send_event(data);
  return results.size() == 1 && results[0].ok() ? 0 : 1;
}
