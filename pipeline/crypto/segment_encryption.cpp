#include "pipeline/crypto/segment_encryption.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "pipeline/crypto/speke_presets.hpp"

namespace mediaemu::pipeline::crypto {

SharedSegmentKey track_key(const SharedSegmentKey& key, bool video, int width, int height, int channels) {
  if (!key || key->by_track_type.empty()) return key;
  auto type = preset_track_type(key->preset_video, key->preset_audio, video, int64_t{width} * height, channels);
  if (!type) return nullptr;
  auto it = key->by_track_type.find(*type);
  return it == key->by_track_type.end() ? nullptr : it->second;
}

SegmentEncryption::SegmentEncryption(const EncryptionSpec& spec, std::string label, int64_t now_epoch_ms)
    : label_(std::move(label)),
      method_(spec.method),
      preset_video_(spec.preset_video),
      preset_audio_(spec.preset_audio),
      schedule_(spec.key_rotation_interval_seconds),
      prefetcher_(spec.keys, label_) {
  if (!spec.keys) throw std::invalid_argument("encryption without a key provider");
  if (!spec.constant_iv_hex.empty()) {
    constant_iv_ = block_from_hex(spec.constant_iv_hex);
    if (!constant_iv_) throw std::invalid_argument("ConstantInitializationVector is not 32 hex digits");
  }
  prefetcher_.want(schedule_.period_at(now_epoch_ms));
}

SharedSegmentKey SegmentEncryption::key_for(int64_t sequence, int64_t epoch_ms) {
  const int64_t period = schedule_.period_at(epoch_ms);
  prefetcher_.want(period);
  prefetcher_.want(schedule_.next(period));  // ahead: ready by the time the next period starts
  if (current_ && current_->key.period == period) return current_;
  auto key = prefetcher_.get(period);
  // The first segment may start in a later period than the one fetched when the endpoint started:
  // until its own key arrives, an earlier period's key is "the last key" MediaPackage keeps using.
  if (!key && !current_) key = prefetcher_.latest_before(period);
  if (key) {
    auto marker = [&](ContentKey k) {
      auto m = std::make_shared<SegmentKey>();
      m->key = std::move(k);
      m->method = method_;
      m->constant_iv = constant_iv_;
      return m;
    };
    auto next = marker(*key);
    for (const ContentKey& k : key->track_keys) next->by_track_type[k.track_type] = marker(k);
    next->preset_video = preset_video_;
    next->preset_audio = preset_audio_;
    current_ = std::move(next);
    prefetcher_.forget_before(current_->key.period);
    return current_;
  }
  if (warned_period_ != period) {
    warned_period_ = period;
    if (current_)
      spdlog::warn("package {}: no content key for key period {} yet; segment {} reuses the key of period {}", label_,
                   period, sequence, current_->key.period);
    else
      spdlog::warn("package {}: no content key obtained yet; segment {} is not published (playlists answer 404)",
                   label_, sequence);
  }
  return current_;
}

}  // namespace mediaemu::pipeline::crypto
