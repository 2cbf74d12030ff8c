// Loads the media module (emulator/media_service.hpp) on a thread of its own while the control
// plane already serves, and forwards the media hooks to it. A hook that arrives before the module
// is loaded waits for it (about 100 ms, once); if the module cannot be loaded, the control plane
// keeps working, every channel reports why in ListAlerts, and the log says so.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "emulator/media_service.hpp"

namespace mediaemu {

class MediaLoader : public MediaHooks {
 public:
  MediaLoader(const Config& config, Domain& domain, boost::asio::io_context& io);
  ~MediaLoader() override;

  // Loads the module and starts the media service on the io_context; never blocks.
  void start();
  void stop();

  void channel_running(const std::string& region, const std::string& channel_id) override;
  void channel_stopping(const std::string& region, const std::string& channel_id) override;
  void channel_deleted(const std::string& region, const std::string& channel_id) override;
  nlohmann::json channel_alerts(const std::string& region, const std::string& channel_id) override;
  void endpoint_changed(const std::string& region, const std::string& endpoint_id) override;
  void endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                        const std::string& url_hash) override;

 private:
  static constexpr std::chrono::milliseconds kQuietStart{250};
  void begin_loading(bool urgent);  // once: starts the loader thread
  void load();               // on the loader thread
  MediaService* service();   // waits for the load; nullptr if it failed
  void post_start();         // with mutex_ held, once loaded and asked to start

  const Config& config_;
  Domain& domain_;
  boost::asio::io_context& io_;
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
};

}  // namespace mediaemu
