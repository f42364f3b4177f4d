// libFuzzer target for the generic Avro decoder: arbitrary bytes decoded with a fixed set of
// schemas (openedx-events snapshots from schemas/, embedded verbatim, and hand-written schemas that
// cover the types the snapshots do not use, recursion included), plus resolving decodes between
// an old and a new snapshot of the same event.
//
// Properties checked on every input, beyond "no crash, no leak, no undefined behaviour":
//   * decoding fails only with DecodeError (ResolutionError for resolving decodes);
//   * what decoded re-encodes; when the input was in canonical form the re-encoding equals the
//     consumed prefix byte for byte, and in every case it decodes again to the same encoding;
//   * the JSON view of what decoded can be produced and dumped, and reading it back with
//     from_json fails, if at all, only with DatumError.
//
// Build by hand (one line):
//   clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I include fuzz/generic_decode_fuzz.cpp
//     src/avro/generic/*.cpp -o /tmp/gfuzz && /tmp/gfuzz -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "openedx_events/avro/generic.hpp"

namespace {

namespace generic = openedx_events::avro::generic;

// schemas/org+openedx+learning+auth+session+login+completed+v1_schema.avsc
const char* const session_login =
    R"avsc({"name":"CloudEvent","type":"record","doc":"Avro Event Format for CloudEvents created with opene)avsc"
    R"avsc(dx_events/schema","fields":[{"name":"user","type":{"name":"UserData","type":"record","fields":[{)avsc"
    R"avsc("name":"id","type":"long"},{"name":"is_active","type":"boolean"},{"name":"pii","type":{"name":"U)avsc"
    R"avsc(serPersonalData","type":"record","fields":[{"name":"username","type":"string"},{"name":"email",")avsc"
    R"avsc(type":"string"},{"name":"name","type":"string"}]}}]}}],"namespace":"org.openedx.learning.auth.se)avsc"
    R"avsc(ssion.login.completed.v1"})avsc";

// schemas/org+openedx+learning+course+enrollment+created+v1_schema.avsc
const char* const enrollment_created =
    R"avsc({"name":"CloudEvent","type":"record","doc":"Avro Event Format for CloudEvents created with opene)avsc"
    R"avsc(dx_events/schema","fields":[{"name":"enrollment","type":{"name":"CourseEnrollmentData","type":"r)avsc"
    R"avsc(ecord","fields":[{"name":"user","type":{"name":"UserData","type":"record","fields":[{"name":"id")avsc"
    R"avsc(,"type":"long"},{"name":"is_active","type":"boolean"},{"name":"pii","type":{"name":"UserPersonal)avsc"
    R"avsc(Data","type":"record","fields":[{"name":"username","type":"string"},{"name":"email","type":"stri)avsc"
    R"avsc(ng"},{"name":"name","type":"string"}]}}]}},{"name":"course","type":{"name":"CourseData","type":")avsc"
    R"avsc(record","fields":[{"name":"course_key","type":"string"},{"name":"display_name","type":"string"},)avsc"
    R"avsc({"name":"start","type":["null","string"],"default":null},{"name":"end","type":["null","string"],)avsc"
    R"avsc("default":null}]}},{"name":"mode","type":"string"},{"name":"is_active","type":"boolean"},{"name")avsc"
    R"avsc(:"creation_date","type":"string"},{"name":"created_by","type":["null","UserData"],"default":null)avsc"
    R"avsc(}]}}],"namespace":"org.openedx.learning.course.enrollment.created.v1"})avsc";

// schemas/org+openedx+learning+discussions+configuration+changed+v1_schema.avsc
const char* const discussions_configuration =
    R"avsc({"name":"CloudEvent","type":"record","doc":"Avro Event Format for CloudEvents created with opene)avsc"
    R"avsc(dx_events/schema","fields":[{"name":"configuration","type":{"name":"CourseDiscussionConfiguratio)avsc"
    R"avsc(nData","type":"record","fields":[{"name":"course_key","type":"string"},{"name":"provider_type",")avsc"
    R"avsc(type":"string"},{"name":"enabled","type":"boolean","default":true},{"name":"enable_in_context",")avsc"
    R"avsc(type":"boolean"},{"name":"enable_graded_units","type":"boolean"},{"name":"unit_level_visibility")avsc"
    R"avsc(,"type":"boolean"},{"name":"plugin_configuration","type":{"type":"map","values":"boolean"}},{"na)avsc"
    R"avsc(me":"contexts","type":{"type":"array","items":{"name":"DiscussionTopicContext","type":"record",")avsc"
    R"avsc(fields":[{"name":"title","type":"string"},{"name":"usage_key","type":["null","string"],"default")avsc"
    R"avsc(:null},{"name":"group_id","type":["null","long"],"default":null},{"name":"external_id","type":[")avsc"
    R"avsc(null","string"],"default":null},{"name":"ordering","type":["null","long"],"default":null},{"name)avsc"
    R"avsc(":"context","type":{"type":"map","values":"string"}}]}}}]}}],"namespace":"org.openedx.learning.d)avsc"
    R"avsc(iscussions.configuration.changed.v1"})avsc";

// schemas/org+openedx+learning+ora+submission+created+v1_schema.avsc
const char* const ora_submission =
    R"avsc({"name":"CloudEvent","type":"record","doc":"Avro Event Format for CloudEvents created with opene)avsc"
    R"avsc(dx_events/schema","fields":[{"name":"submission","type":{"name":"ORASubmissionData","type":"reco)avsc"
    R"avsc(rd","fields":[{"name":"uuid","type":"string"},{"name":"anonymous_user_id","type":"string"},{"nam)avsc"
    R"avsc(e":"location","type":"string"},{"name":"attempt_number","type":"long"},{"name":"created_at","typ)avsc"
    R"avsc(e":"string"},{"name":"submitted_at","type":"string"},{"name":"answer","type":{"name":"ORASubmiss)avsc"
    R"avsc(ionAnswer","type":"record","fields":[{"name":"parts","type":{"type":"array","items":{"type":"map)avsc"
    R"avsc(","values":"string"}}},{"name":"file_keys","type":{"type":"array","items":"string"}},{"name":"fi)avsc"
    R"avsc(le_descriptions","type":{"type":"array","items":"string"}},{"name":"file_names","type":{"type":")avsc"
    R"avsc(array","items":"string"}},{"name":"file_sizes","type":{"type":"array","items":"long"}},{"name":")avsc"
    R"avsc(file_urls","type":{"type":"array","items":"string"}}]}}]}}],"namespace":"org.openedx.learning.or)avsc"
    R"avsc(a.submission.created.v1"})avsc";

// schemas/org+openedx+enterprise+subsidy+redemption-reversed+v1_schema.avsc
const char* const redemption_reversed =
    R"avsc({"name":"CloudEvent","type":"record","doc":"Avro Event Format for CloudEvents created with opene)avsc"
    R"avsc(dx_events/schema","fields":[{"name":"redemption","type":{"name":"SubsidyRedemption","type":"reco)avsc"
    R"avsc(rd","fields":[{"name":"subsidy_identifier","type":"string"},{"name":"content_key","type":"string)avsc"
    R"avsc("},{"name":"lms_user_id","type":"long"}]}}],"namespace":"org.openedx.enterprise.subsidy.redempti)avsc"
    R"avsc(on-reversed.v1"})avsc";

// schemas/org+openedx+content_authoring+xblock+published+v1_schema.avsc
const char* const xblock_published_stored =
    R"avsc({"name":"CloudEvent","type":"record","doc":"Avro Event Format for CloudEvents created with opene)avsc"
    R"avsc(dx_events/schema","fields":[{"name":"xblock_info","type":{"name":"XBlockData","type":"record","f)avsc"
    R"avsc(ields":[{"name":"usage_key","type":"string"},{"name":"block_type","type":"string"}]}}],"namespac)avsc"
    R"avsc(e":"org.openedx.content_authoring.xblock.published.v1"})avsc";

// schemas/org+openedx+learning+forum+thread+created+v1_schema.avsc
const char* const forum_thread_created =
    R"avsc({"name":"CloudEvent","type":"record","doc":"Avro Event Format for CloudEvents created with opene)avsc"
    R"avsc(dx_events/schema","fields":[{"name":"thread","type":{"name":"DiscussionThreadData","type":"recor)avsc"
    R"avsc(d","fields":[{"name":"body","type":"string"},{"name":"commentable_id","type":"string"},{"name":")avsc"
    R"avsc(id","type":"string"},{"name":"truncated","type":"boolean"},{"name":"url","type":"string"},{"name)avsc"
    R"avsc(":"user","type":{"name":"UserData","type":"record","fields":[{"name":"id","type":"long"},{"name")avsc"
    R"avsc(:"is_active","type":"boolean"},{"name":"pii","type":{"name":"UserPersonalData","type":"record",")avsc"
    R"avsc(fields":[{"name":"username","type":"string"},{"name":"email","type":"string"},{"name":"name","ty)avsc"
    R"avsc(pe":"string"}]}}]}},{"name":"course_id","type":"string"},{"name":"thread_type","type":["null","s)avsc"
    R"avsc(tring"],"default":null},{"name":"anonymous","type":["null","boolean"],"default":null},{"name":"a)avsc"
    R"avsc(nonymous_to_peers","type":["null","boolean"],"default":null},{"name":"title","type":["null","str)avsc"
    R"avsc(ing"],"default":null},{"name":"title_truncated","type":["null","boolean"],"default":null},{"name)avsc"
    R"avsc(":"group_id","type":["null","long"],"default":null},{"name":"team_id","type":["null","long"],"de)avsc"
    R"avsc(fault":null},{"name":"category_id","type":["null","long"],"default":null},{"name":"category_name)avsc"
    R"avsc(","type":["null","string"],"default":null},{"name":"discussion","type":["null",{"type":"map","va)avsc"
    R"avsc(lues":"string"}],"default":null},{"name":"user_course_roles","type":{"type":"array","items":"str)avsc"
    R"avsc(ing"}},{"name":"user_forums_roles","type":{"type":"array","items":"string"}},{"name":"options",")avsc"
    R"avsc(type":{"type":"map","values":"boolean"}}]}}],"namespace":"org.openedx.learning.forum.thread.crea)avsc"
    R"avsc(ted.v1"})avsc";

// XBlockData as openedx-events generates it today: the stored snapshot plus the optional version.
const char* const xblock_published_current =
    R"avsc({"name":"CloudEvent","type":"record","fields":[{"name":"xblock_info","type":{"name":"XBlockData",)avsc"
    R"avsc("type":"record","fields":[{"name":"usage_key","type":"string"},{"name":"block_type","type":"string"},)avsc"
    R"avsc({"name":"version","type":["null","string"],"default":null}]}}],)avsc"
    R"avsc("namespace":"org.openedx.content_authoring.xblock.published.v1"})avsc";

// Every type the snapshots do not use, a recursive record, and zero-width items.
const char* const kitchen_sink = R"avsc({
  "type": "record", "name": "Sink", "namespace": "org.example.with-hyphen.v1",
  "fields": [
    {"name": "i", "type": "int"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "raw", "type": "bytes"},
    {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
    {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
    {"name": "nothing", "type": {"type": "array", "items": "null"}},
    {"name": "empties", "type": {"type": "array", "items": {"type": "record", "name": "Empty", "fields": []}}},
    {"name": "tree", "type": {"type": "record", "name": "Tree", "fields": [
      {"name": "label", "type": ["null", "string", "Color"]},
      {"name": "children", "type": {"type": "array", "items": "Tree"}},
      {"name": "attrs", "type": {"type": "map", "values": ["null", "long", "double", "Hash", "Tree"]}}]}},
    {"name": "next", "type": ["null", "Sink"]}
  ]})avsc";

[[noreturn]] void violated() { std::abort(); }

struct Schemas {
  std::vector<generic::Schema> plain;
  std::vector<std::pair<generic::Schema, generic::Schema>> resolving;  // writer, reader
};

const Schemas& schemas() {
  static const Schemas all = [] {
    Schemas s;
    for (const char* text : {session_login, enrollment_created, discussions_configuration, ora_submission,
                             redemption_reversed, xblock_published_stored, forum_thread_created, kitchen_sink}) {
      s.plain.push_back(generic::parse_schema(text));
    }
    const generic::Schema stored = generic::parse_schema(xblock_published_stored);
    const generic::Schema current = generic::parse_schema(xblock_published_current);
    s.resolving = {{stored, current}, {current, stored}, {s.plain.back(), s.plain.back()}};
    return s;
  }();
  return all;
}

// The re-encoding of a decoded value must decode again, completely, to the same encoding.
void check_reencoding(const generic::Schema& schema, const generic::Datum& datum) {
  std::string encoded;
  generic::encode(schema, datum, encoded);
  const generic::DecodeResult again = generic::decode_prefix(schema, encoded);
  if (again.consumed != encoded.size() || !again.canonical) violated();
  if (generic::encode(schema, again.datum) != encoded) violated();

  const nlohmann::json view = generic::to_json(schema, datum);
  (void)view.dump();
  try {
    (void)generic::encode(schema, generic::from_json(schema, view));
  } catch (const generic::DatumError&) {
    // A NaN has no JSON number, and union branches are chosen anew from the JSON value.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const generic::Schema& schema : schemas().plain) {
    try {
      const generic::DecodeResult result = generic::decode_prefix(schema, input);
      if (result.consumed > input.size()) violated();
      if (result.canonical && generic::encode(schema, result.datum) != input.substr(0, result.consumed)) violated();
      check_reencoding(schema, result.datum);
    } catch (const generic::DecodeError&) {
    }
  }
  for (const auto& [writer, reader] : schemas().resolving) {
    try {
      const generic::DecodeResult result = generic::decode_resolved_prefix(writer, reader, input);
      if (result.consumed > input.size()) violated();
      check_reencoding(reader, result.datum);
    } catch (const generic::DecodeError&) {
    }
  }
  return 0;
}
