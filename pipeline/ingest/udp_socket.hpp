// A bound UDP socket for the push transports (MPEG-TS over UDP/RTP, the SRT listener's relay).
#pragma once

#include <string>

namespace mediaemu::pipeline {

// A UDP socket bound to host:port (any address when `host` is not an IPv4 literal; port 0 picks
// a free one), close-on-exec and SO_REUSEADDR, with `receive_buffer` bytes of kernel buffer when
// non-zero. Throws std::runtime_error saying why it cannot.
int open_udp_socket(const std::string& host, int port, int receive_buffer = 0);

// The local port a socket is bound to.
int bound_udp_port(int fd);

}  // namespace mediaemu::pipeline
