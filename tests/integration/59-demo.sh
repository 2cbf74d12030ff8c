#!/usr/bin/env bash
# tools/demo, as the README's first-stream section runs it: against a fresh server it creates the
# input, MediaPackage channel and endpoints and a 3-rung channel with the AWS CLI, pushes a test
# pattern for 20 s, and prints playback URLs whose HLS master playlist ffprobe reads (3 renditions
# of the ladder, AAC). A second, short run with --cleanup leaves nothing behind.
# timeout: 240
set -u
# shellcheck source=SCRIPTDIR/harness.sh
source "$(dirname "$0")/harness.sh"
for tool in aws ffmpeg ffprobe curl; do
  type -P $tool >/dev/null || { echo "SKIP: $tool is not installed (tools/install-deps --test)"; exit 77; }
done

me_start
out=$ME_TMP/demo.out
"$ME_REPO/tools/demo" --seconds 20 --endpoint "$ME_ENDPOINT" --name demo-it >"$out" 2>"$ME_TMP/demo.err"
exited_0 "tools/demo --seconds 20"
sed 's/^/      /' "$out"
hls=$(awk '$1 == "HLS" {print $2}' "$out")
dash=$(awk '$1 == "DASH" {print $2}' "$out")
check_match "printed HLS URL" "^$ME_ENDPOINT/out/v1/[0-9a-f]+/index\.m3u8$" "$hls"
check_match "printed DASH URL" "^$ME_ENDPOINT/out/v1/[0-9a-f]+/index\.mpd$" "$dash"
check_match "printed the channel it created" "medialive create-channel --cli-input-json file://" "$(cat "$out")"
check_match "printed the ffmpeg push" "ffmpeg .* -f flv rtmp://127\.0\.0\.1:$ME_RTMP_PORT/demo-it/main" "$(cat "$out")"

# The master playlist, read by ffprobe: every rung of the ladder, and the audio.
probe=$(timeout 60 ffprobe -v error -show_entries stream=codec_type,codec_name,width,height -of csv=p=0 "$hls" 2>&1)
check_eq "ffprobe: H.264 renditions (codec,type,width,height)" \
  "h264,video,1280,720 h264,video,854,480 h264,video,426,240" \
  "$(grep video <<<"$probe" | sort -t, -k3 -rn | uniq | tr '\n' ' ' | sed 's/ $//')"
check_match "ffprobe: AAC audio" "aac,audio" "$(grep audio <<<"$probe" | head -1)"
check_true "DASH manifest answers with an MPD" grep -q "<MPD" <(curl -fsS -m 5 "$dash")

# --cleanup: the demo removes what it created once the push ends.
"$ME_REPO/tools/demo" --seconds 6 --cleanup --endpoint "$ME_ENDPOINT" --name demo-clean >"$ME_TMP/clean.out" 2>&1
exited_0 "tools/demo --seconds 6 --cleanup"
aws_me() { aws --endpoint-url "$ME_ENDPOINT" "$@"; }
check_match "after --cleanup: its channel is DELETED or gone" "^(DELETED)?$" \
  "$(aws_me medialive list-channels --query "Channels[?Name=='demo-clean'].State" --output text)"
check_eq "after --cleanup: its MediaPackage channel" "" \
  "$(aws_me mediapackage list-channels --query "Channels[?Id=='demo-clean'].Id" --output text)"
check_eq "after --cleanup: the first demo's MediaPackage channel stays" "demo-it" \
  "$(aws_me mediapackage list-channels --query "Channels[?Id=='demo-it'].Id" --output text)"

me_finish
