// mediaemu: the composition root. Parses flags, opens state, wires the AWS engine to the
// domain, and runs the HTTP (and media) servers until SIGINT/SIGTERM.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/aws_api.hpp"
#include "api/front_door.hpp"
#include "api/http_server.hpp"
#include "emulator/app.hpp"
#include "emulator/config.hpp"
#include "emulator/loopback_http.hpp"
#include "emulator/speke/key_server.hpp"

namespace {

constexpr const char* kUsage = R"(mediaemu - a local, offline emulator of AWS Elemental MediaLive and MediaPackage

Usage: mediaemu [options]

  --host <addr>          address to bind (default 127.0.0.1; 0.0.0.0 listens on every interface)
  --port <n>             HTTP port for the AWS APIs, origin and health (default 4566)
  --rtmp-port <n>        RTMP ingest port (default 1935)
  --udp-ports <a>-<b>    port range for RTP/UDP push inputs (default 5000-5999)
  --data-dir <dir>       state database and media output (default ./mediaemu-data)
  --state-delay <ms>     how long each lifecycle transition takes (default 0: waiters return at once)
  --x264-preset <name>   libx264 preset for transcoding (default veryfast)
  --cfn-unsupported <fail|placeholder>
                         a CloudFormation resource type mediaemu has no provider for fails the stack
                         (default), or gets a placeholder that the stack events name
  --sns-ca-file <pem>    CA certificates SNS trusts for https subscribers besides the system's
  --log-level <level>    trace, debug, info, warn, error (default info)
  --help                 this text

Point the AWS CLI at it:  AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws medialive list-channels
Health:                   curl http://127.0.0.1:4566/_mediaemu/health
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "mediaemu: " << message << "\n\n" << kUsage;
  std::exit(2);
}

long parse_number(const std::string& flag, const std::string& text, long lo, long hi) {
  try {
    size_t used = 0;
    long v = std::stol(text, &used);
    if (used == text.size() && v >= lo && v <= hi) return v;
  } catch (...) {
  }
  usage_error(flag + " expects a number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" + text + "'");
}

mediaemu::Config parse_flags(int argc, char** argv) {
  mediaemu::Config c;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    auto value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) usage_error(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--host") {
      c.host = value();
    } else if (flag == "--port") {
      c.port = static_cast<uint16_t>(parse_number(flag, value(), 0, 65535));
    } else if (flag == "--rtmp-port") {
      c.rtmp_port = static_cast<uint16_t>(parse_number(flag, value(), 0, 65535));
    } else if (flag == "--udp-ports") {
      std::string v = value();
      auto dash = v.find('-');
      if (dash == std::string::npos) usage_error("--udp-ports expects a range like 5000-5999");
      c.udp_port_first = static_cast<uint16_t>(parse_number(flag, v.substr(0, dash), 1, 65535));
      c.udp_port_last = static_cast<uint16_t>(parse_number(flag, v.substr(dash + 1), 1, 65535));
      if (c.udp_port_last < c.udp_port_first) usage_error("--udp-ports range is empty");
    } else if (flag == "--data-dir") {
      c.data_dir = value();
    } else if (flag == "--state-delay") {
      c.state_delay_ms = parse_number(flag, value(), 0, 24L * 3600 * 1000);
    } else if (flag == "--x264-preset") {
      c.x264_preset = value();
    } else if (flag == "--cfn-unsupported") {
      std::string v = value();
      if (v != "fail" && v != "placeholder") usage_error("--cfn-unsupported expects fail or placeholder");
      c.cfn_placeholders = v == "placeholder";
    } else if (flag == "--sns-ca-file") {
      c.sns_ca_file = value();
      // Checked now: a bad file would otherwise fail every https delivery, later and quietly.
      if (std::string problem = mediaemu::ca_file_problem(c.sns_ca_file); !problem.empty())
        usage_error("--sns-ca-file: " + problem);
    } else if (flag == "--log-level") {
      c.log_level = value();
      if (spdlog::level::from_str(c.log_level) == spdlog::level::off && c.log_level != "off") {
        usage_error("unknown --log-level '" + c.log_level + "'");
      }
    } else {
      usage_error("unknown option '" + flag + "'");
    }
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  auto started = std::chrono::steady_clock::now();
  mediaemu::Config config = parse_flags(argc, argv);
  spdlog::set_default_logger(spdlog::stdout_color_mt("mediaemu"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);

  try {
    boost::asio::io_context io;
    mediaemu::App app(config, io);
    mediaemu::api::FrontDoor front(app.api());
    app.install_routes(front);
    // The local SPEKE key server (/_mediaemu/speke/...), keys kept under the data directory.
    mediaemu::speke::KeyServer key_server(config.data_dir);
    key_server.install(front);

    boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(config.host), config.port);
    mediaemu::api::HttpLimits limits;
    limits.allows_large_body = mediaemu::App::accepts_large_body;
    limits.screen = [&front](const mediaemu::api::HttpRequest& r) { return front.screen(r); };
    mediaemu::api::HttpServer http(io, endpoint, [&front](const mediaemu::api::HttpRequest& r) { return front.handle(r); },
                                   limits);
    http.start();
    app.start();

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int sig) {
      spdlog::info("signal {}: shutting down", sig);
      http.stop();
      app.stop();
      io.stop();
    });

    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("mediaemu {} listening: http://{}:{} (AWS APIs, origin), rtmp://{}:{} ; data in {} ; ready in {} ms",
                 MEDIAEMU_VERSION, config.host, http.port(), config.host, config.rtmp_port, config.data_dir.string(), ms);

    unsigned threads = config.io_threads > 0 ? config.io_threads : std::max(2u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
  } catch (const std::exception& e) {
    spdlog::critical("mediaemu cannot start: {}", e.what());
    return 1;
  }
  return 0;
}
