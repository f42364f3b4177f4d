// Helpers shared by the opaque-key unit tests: assert that a class rejects or accepts a string the
// same way through both entry points (from_string throws InvalidKeyError, try_parse returns nullopt).
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "openedx_events/keys.hpp"

namespace openedx_events::keys::testing {

// Keeps '\n' and friends readable in failure messages.
inline std::string show(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else {
      out += ch;
    }
  }
  return out;
}

template <class Key>
void expect_invalid(std::initializer_list<std::string_view> inputs) {
  for (std::string_view input : inputs) {
    SCOPED_TRACE("input: \"" + show(input) + "\"");
    EXPECT_THROW((void)Key::from_string(input), InvalidKeyError);
    EXPECT_FALSE(Key::try_parse(input).has_value());
  }
}

// Each input parses and prints back unchanged.
template <class Key>
void expect_round_trip(std::initializer_list<std::string_view> inputs) {
  for (std::string_view input : inputs) {
    SCOPED_TRACE("input: \"" + show(input) + "\"");
    const auto key = Key::try_parse(input);
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->to_string(), input);
    EXPECT_EQ(Key::from_string(input), *key);
  }
}

template <class Key>
std::string printed(std::string_view input) {
  return Key::from_string(input).to_string();
}

}  // namespace openedx_events::keys::testing
