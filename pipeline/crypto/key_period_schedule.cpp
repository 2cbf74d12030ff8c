#include "pipeline/crypto/key_period_schedule.hpp"

namespace mediaemu::pipeline::crypto {

int64_t KeyPeriodSchedule::period_at(int64_t epoch_ms) const {
  if (!rotates()) return 0;
  // Floor division: a (theoretical) time before 1970 still lands in the period that contains it.
  int64_t q = epoch_ms / interval_ms_;
  if (epoch_ms % interval_ms_ != 0 && epoch_ms < 0) --q;
  return q;
}

}  // namespace mediaemu::pipeline::crypto
