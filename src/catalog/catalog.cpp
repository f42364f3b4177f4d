// The whole catalog as one list, in upstream's registration order (load_all_signals imports the
// subdomains alphabetically; each registers its signals in definition order).
#include "openedx_events/catalog.hpp"

#include <vector>

namespace openedx_events {

std::span<SignalBase* const> catalog_signals() {
  static const std::vector<SignalBase*> all = [] {
    std::vector<SignalBase*> out;
    for (const auto subdomain : {analytics::signals(), authz::signals(), content_authoring::signals(),
                                 enterprise::signals(), learning::signals()}) {
      out.insert(out.end(), subdomain.begin(), subdomain.end());
    }
    return out;
  }();
  return all;
}

}  // namespace openedx_events
