// detail::FieldText, the storage behind every key class: a key's fields back to back in one buffer
// (detail::TextBuffer, inline for typical keys). Not part of the public API; it lives in a public
// header only because keys hold it by value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace openedx_events::keys::detail {

// The characters behind a FieldText, immutable once written, with an inline buffer that fits the
// fields of most keys: std::string's 15 characters fit few ("edX", "DemoX" and "Demo_Course" already
// take 19), and one heap allocation costs as much as parsing the whole key. The heap is used exactly
// when the size exceeds the inline capacity, so no flag or capacity is stored.
template <std::size_t Inline>
class TextBuffer {
 public:
  // User-provided so that value-initialising a key does not zero the inline bytes first: only the
  // first size() bytes are ever read.
  TextBuffer() noexcept {}  // NOLINT(modernize-use-equals-default)
  TextBuffer(const TextBuffer& other) { std::memcpy(reset(other.size_), other.data(), other.size_); }
  TextBuffer(TextBuffer&& other) noexcept { steal(other); }
  TextBuffer& operator=(const TextBuffer& other) {
    if (this != &other) {
      TextBuffer copy(other);
      release();
      steal(copy);
    }
    return *this;
  }
  TextBuffer& operator=(TextBuffer&& other) noexcept {
    if (this != &other) {
      release();
      steal(other);
    }
    return *this;
  }
  ~TextBuffer() { release(); }

  const char* data() const noexcept { return on_heap() ? heap_ : inline_; }
  char* data() noexcept { return on_heap() ? heap_ : inline_; }
  std::size_t size() const noexcept { return size_; }
  std::string_view view() const noexcept { return {data(), size_}; }

  // Replaces the contents with `size` unspecified characters for the caller to write, and returns
  // where they start. Leaves the contents alone if the allocation throws.
  char* reset(std::size_t size) {
    char* fresh = size > Inline ? new char[size] : nullptr;
    release();
    size_ = size;
    if (fresh == nullptr) return inline_;
    heap_ = fresh;
    return fresh;
  }

  friend bool operator==(const TextBuffer& a, const TextBuffer& b) noexcept { return a.view() == b.view(); }

 private:
  bool on_heap() const noexcept { return size_ > Inline; }
  void release() noexcept {
    if (on_heap()) delete[] heap_;
    size_ = 0;
  }
  // Takes other's characters and leaves it empty; this object must hold none (released or new).
  void steal(TextBuffer& other) noexcept {
    size_ = other.size_;
    if (other.on_heap()) {
      heap_ = other.heap_;
    } else {
      // Only the bytes in use: the rest were never written (zeroing the buffer in every key would
      // cost each parse more than this call).
      std::memcpy(inline_, other.inline_, size_);
    }
    other.size_ = 0;
  }

  union {
    char inline_[Inline];
    char* heap_;
  };
  std::size_t size_ = 0;
};

// The fields of a key stored back to back in one TextBuffer, with where each one ends and which ones
// are set (Python's None is "not set", which differs from ""). Keys are parsed on every Avro decode,
// so this shape matters: parsing a typical key allocates nothing (a long one allocates once) and
// moving a key moves one buffer and a few integers.
//
// Slot i is text[end(i-1), end(i)) (from 0 for slot 0), and an unset slot is empty there, so the
// layout is a function of the field values alone and comparing it compares the fields. The first
// slots are a key's own fields; the last ones hold the fields of the key that embeds it (a UsageKey
// keeps its block type and id after the fields of its course key), so that the embedding key needs
// no buffer of its own. The embedded key only ever reads, prints and compares its own slots.
template <std::size_t N, std::size_t Inline>
class FieldText {
  static_assert(N >= 1 && N <= 8, "the set-slot mask is one byte");

 public:
  FieldText() = default;
  FieldText(const FieldText&) = default;
  FieldText& operator=(const FieldText&) = default;
  // The ends would outlive the moved text, so a move leaves the source with no slots at all: a
  // moved-from key is then a valid key whose views are empty, never views past its text.
  FieldText(FieldText&& other) noexcept
      : text_(std::move(other.text_)), end_(std::exchange(other.end_, {})), set_(std::exchange(other.set_, 0)) {}
  FieldText& operator=(FieldText&& other) noexcept {
    if (this != &other) {
      text_ = std::move(other.text_);
      end_ = std::exchange(other.end_, {});
      set_ = std::exchange(other.set_, 0);
    }
    return *this;
  }
  ~FieldText() = default;

  bool has(std::size_t slot) const noexcept { return ((set_ >> slot) & 1U) != 0; }
  // Bit i on for each set slot i.
  unsigned set_bits() const noexcept { return set_; }
  // The slot's text; empty for an unset slot.
  std::string_view view(std::size_t slot) const noexcept {
    const std::size_t begin = slot == 0 ? 0 : end_[slot - 1];
    return {text_.data() + begin, end_[slot] - begin};
  }
  std::optional<std::string_view> get(std::size_t slot) const noexcept {
    if (!has(slot)) return std::nullopt;
    return view(slot);
  }

  // Whether the first `count` slots hold the same values (the embedded key's equality).
  bool same_first(const FieldText& other, std::size_t count) const noexcept {
    const unsigned mask = (1U << count) - 1U;
    if (((set_ ^ other.set_) & mask) != 0U) return false;
    for (std::size_t i = 0; i < count; ++i) {
      if (end_[i] != other.end_[i]) return false;
    }
    const std::size_t size = count == 0 ? 0 : end_[count - 1];
    return std::string_view(text_.data(), size) == std::string_view(other.text_.data(), size);
  }
  // Every slot equal (the embedding key's equality).
  friend bool operator==(const FieldText&, const FieldText&) = default;

  // For the parsers: slot i becomes values[i] if bit i of `set` is on, and unset otherwise (as do the
  // slots past values.size()). One allocation at most; the values must not view this object's text.
  void assign(std::span<const std::string_view> values, unsigned set) {
    if (values.size() < N) set &= (1U << values.size()) - 1U;
    std::size_t total = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (((set >> i) & 1U) != 0) total += values[i].size();
    }
    char* out = text_.reset(total);
    std::size_t pos = 0;
    for (std::size_t i = 0; i < N; ++i) {
      if (((set >> i) & 1U) != 0 && !values[i].empty()) {
        std::memcpy(out + pos, values[i].data(), values[i].size());
        pos += values[i].size();
      }
      end_[i] = pos;
    }
    set_ = static_cast<std::uint8_t>(set);
  }
  // For the parsers: ASCII-lowercase one slot in place (the version of a ccx key may be upper-case hex).
  void to_lower_ascii(std::size_t slot) noexcept {
    const std::size_t begin = slot == 0 ? 0 : end_[slot - 1];
    for (std::size_t i = begin; i < end_[slot]; ++i) {
      char& c = text_.data()[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }

 private:
  TextBuffer<Inline> text_;
  std::array<std::size_t, N> end_{};
  std::uint8_t set_ = 0;  // bit i: slot i is set
};

}  // namespace openedx_events::keys::detail
