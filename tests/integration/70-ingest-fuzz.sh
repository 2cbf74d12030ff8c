#!/usr/bin/env bash
# libFuzzer on the ingest parsers (RTMP chunk stream + handshake + command handling, the AMF0
# decoder, and the RTP receivers of RTP_PUSH inputs and MediaConnect flows), with ASan and UBSan,
# for a bounded time each (tools/fuzz builds build-fuzz/ with clang).
# A crash, sanitizer report, leak or hang fails the suite; the input is kept under
# build-fuzz/artifacts/<target>/. MEDIAEMU_FUZZ_SECONDS sets the time per target (default 10).
# timeout: 420
set -u
seconds=${MEDIAEMU_FUZZ_SECONDS:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
for target in rtmp_chunk_fuzz amf0_fuzz rtp_fuzz; do
  if "$root/tools/fuzz" "$seconds" "$target"; then
    echo "    ok   $target: ${seconds} s of libFuzzer found nothing"
    passed=$((passed + 1))
  else
    echo "    FAIL $target (see above)"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
