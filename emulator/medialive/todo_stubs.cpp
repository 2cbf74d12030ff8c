// Temporary: operation groups not written yet register nothing (they answer 501).
#include "emulator/medialive/medialive.hpp"
namespace mediaemu::medialive {
void add_channel_operations(api::OperationTable&, Domain&, MediaHooks&) {}
void add_multiplex_operations(api::OperationTable&, Domain&) {}
void add_schedule_operations(api::OperationTable&, Domain&) {}
void add_offering_operations(api::OperationTable&, Domain&) {}
void add_tag_operations(api::OperationTable&, Domain&) {}
}
