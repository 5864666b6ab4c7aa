#!/usr/bin/env bash
# apt-ensure.sh PATH PACKAGE...: install Debian packages when PATH is missing.
set -euo pipefail
path=$1; shift
[ -e "$path" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "error: $path is missing. Install it with: sudo apt-get install -y $*" >&2
  exit 1
fi
echo "installing $* (for $path)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$@" >/dev/null
