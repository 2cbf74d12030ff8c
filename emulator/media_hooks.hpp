// The seam between the control plane and the media runtime. The control plane calls these after
// a change is committed (never under the domain lock); the media runtime reads whatever settings
// it needs from the domain. The default implementation does nothing, which is what unit tests
// of the control plane use.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mediaemu {

class MediaHooks {
 public:
  virtual ~MediaHooks() = default;
  // MediaLive channel reached RUNNING: start its pipelines.
  virtual void channel_running(const std::string& region, const std::string& channel_id) {}
  // MediaLive channel is STOPPING: flush and end its outputs.
  virtual void channel_stopping(const std::string& region, const std::string& channel_id) {}
  // MediaLive channel DELETED: remove whatever media it left (S3-style outputs).
  virtual void channel_deleted(const std::string& region, const std::string& channel_id) {}
  // Alerts of a MediaLive channel (ListAlerts items in model form, e.g. an output group type
  // mediaemu cannot run).
  virtual nlohmann::json channel_alerts(const std::string& region, const std::string& channel_id) {
    return nlohmann::json::array();
  }
  // MediaPackage origin endpoint created/updated, or deleted (its files go away).
  virtual void endpoint_changed(const std::string& region, const std::string& endpoint_id) {}
  virtual void endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                                const std::string& url_hash) {}
};

}  // namespace mediaemu
