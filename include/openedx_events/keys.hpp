// Open edX opaque keys, parsed, validated and printed exactly like Python's edx-opaque-keys 4.0 and
// edx-ccx-keys, plus their Avro serializers. Everything lives in openedx_events::keys and is also
// reachable as openedx_events::CourseKey etc.
#pragma once

#include "openedx_events/keys/ccx_locator.hpp"
#include "openedx_events/keys/course_key.hpp"
#include "openedx_events/keys/errors.hpp"
#include "openedx_events/keys/library_collection_locator.hpp"
#include "openedx_events/keys/library_container_locator.hpp"
#include "openedx_events/keys/library_locator_v2.hpp"
#include "openedx_events/keys/serializers.hpp"
#include "openedx_events/keys/usage_key.hpp"
