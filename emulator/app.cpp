#include "emulator/app.hpp"

#include "emulator/medialive/medialive.hpp"
#include "emulator/mediapackage/mediapackage.hpp"

namespace mediaemu {

App::App(const Config& config, boost::asio::io_context& io)
    : config_(config), io_(io), store_(config.data_dir / "state.db"), domain_(config, store_, clock_) {
  api_.set_handlers("medialive", medialive::operations(domain_, no_media_));
  api_.set_handlers("mediapackage", mediapackage::operations(domain_, no_media_));
  api_.set_handlers("mediapackage-vod", mediapackage::vod_operations(domain_));
  domain_.load();  // after every hook is registered: settles interrupted transitions
}

App::~App() { stop(); }

void App::install_routes(api::FrontDoor&) {}

void App::start() { domain_.start_clock(); }

void App::stop() { domain_.stop_clock(); }

}  // namespace mediaemu
