#!/usr/bin/env bash
# Acceptance 2 of issue 6: 20 SFT steps against the tinker test fake with
# 200 ms latency per request and 1 s compute per optimizer step, pipelined
# and unpipelined. Takes about a minute. The reference is 20 x 1 s = 20 s
# of service compute; "x-of-20s" is the ratio (target: pipelined <= 1.15).
set -euo pipefail
cd "$(dirname "$0")/../.."
go test -run '^$' -bench 'SFT20' -benchtime 1x -count "${COUNT:-1}" ./bench/tinker/
