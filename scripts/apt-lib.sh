# Shared by the scripts that install a Debian package when it is missing
# (scripts/install-postgres.sh, e2e/run.sh). Source it, then call
# `apt_install WHO PACKAGE...`: apt-get update and install, as root
# directly or through sudo; WHO names the caller in the error message.

as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "${AS_ROOT_WHO:-accueil}: need root or sudo to run: $*" >&2
    return 1
  fi
}

apt_install() {
  local AS_ROOT_WHO="$1"
  shift
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
