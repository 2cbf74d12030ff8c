// Loads the media module (emulator/media_service.hpp) on a thread of its own while the control
// plane already serves, and forwards the media hooks to it. A command hook that arrives before the
// module is loaded is queued and replayed, in order, once it is (so no hook waits for the load);
// only ListAlerts, a read, waits for it (about 100 ms, once). If the module cannot be loaded, the
// control plane keeps working, every channel reports why in ListAlerts, and the log says so.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/media_service.hpp"

namespace mediaemu {

class MediaLoader : public MediaHooks {
 public:
  // `flow_taps` (the MediaConnect flows' outputs) must outlive the loader.
  MediaLoader(const Config& config, Domain& domain, boost::asio::io_context& io, flow::FlowTaps& flow_taps);
  ~MediaLoader() override;

  // Loads the module and starts the media service on the io_context; never blocks.
  void start();
  void stop();

  void channel_start(const media::ChannelRunPlan& plan) override;
  void channel_stop(const std::string& region, const std::string& channel_id, uint64_t order) override;
  void channel_restart(const std::string& region, const std::string& channel_id, uint64_t order,
                       const std::vector<int>& pipelines) override;
  bool stop_ends_outputs(const std::string& region, const std::string& channel_id) override;
  void channel_update(const media::ChannelRunPlan& plan) override;
  void channel_deleted(const std::string& region, const std::string& channel_id, uint64_t order) override;
  nlohmann::json channel_alerts(const std::string& region, const std::string& channel_id) override;
  std::string channel_active_input(const std::string& region, const std::string& channel_id, int pipeline) override;
  nlohmann::json channel_samples() override;
  nlohmann::json mediapackage_inputs() override;
  nlohmann::json channel_logs() override;
  void endpoint_changed(const media::EndpointPlan& plan) override;
  void endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                        const std::filesystem::path& directory) override;
  media::HlsIngestAnswer hls_ingest(media::HlsIngestDelivery&& delivery) override;

 private:
  static constexpr std::chrono::milliseconds kQuietStart{250};
  void begin_loading(bool urgent);  // once: starts the loader thread
  void load();               // on the loader thread
  MediaService* service();   // waits for the load; nullptr if it failed
  void post_start();         // with mutex_ held, once loaded and asked to start
  // Runs `command` on the service now, or queues it until the module is loaded (dropped if the
  // load failed). Never waits for the load.
  void command(std::function<void(MediaService&)> command);

  const Config& config_;
  Domain& domain_;
  boost::asio::io_context& io_;
  flow::FlowTaps& flow_taps_;
  std::promise<MediaService*> promise_;
  std::shared_future<MediaService*> loaded_;
  std::once_flag loading_;
  std::thread loader_;
  std::string error_;  // why the module could not be loaded (set before loaded_ is ready)
  void* handle_ = nullptr;  // never dlclose'd: the module's code may run until the process ends
  std::unique_ptr<MediaService> service_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool ready_ = false, start_requested_ = false, stopped_ = false, urgent_ = false;
  std::vector<std::function<void(MediaService&)>> pending_;  // commands that came before the load
};

}  // namespace mediaemu
