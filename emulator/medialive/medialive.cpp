#include "emulator/medialive/medialive.hpp"

#include <openssl/rand.h>

namespace mediaemu::medialive {

std::string next_id(Tx& tx) {
  // A persisted counter starting at a 7-digit number, like the ids MediaLive hands out.
  return tx.next_number("medialive-id", 1000001 + [] {
    unsigned int r = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r);
    return static_cast<int64_t>(r % 3000000);
  }());
}

std::string arn(const CallContext& ctx, const std::string& type, const std::string& id) {
  return make_arn(ctx, "medialive", type + ":" + id);
}

api::OperationTable operations(Domain& domain, MediaHooks& media) {
  api::OperationTable t;
  add_input_operations(t, domain);
  add_input_security_group_operations(t, domain, media);
  add_channel_operations(t, domain, media);
  add_multiplex_operations(t, domain);
  add_schedule_operations(t, domain, media);
  add_offering_operations(t, domain);
  add_tag_operations(t, domain);
  add_workflow_template_operations(t, domain);
  add_signal_map_operations(t, domain);
  add_anywhere_operations(t, domain);
  return t;
}

}  // namespace mediaemu::medialive
