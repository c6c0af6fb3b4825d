#!/usr/bin/env bash
# Builds the real Pulumi toolchain for the tests from the package registries only, and prints the PATH
# to use. Three pieces, each cached by version:
#
#   pulumi                          the CLI, at exactly the version of @pulumi/pulumi in package-lock.json,
#                                   built from the Go module proxy (github.com/pulumi/pulumi/pkg/v3)
#   pulumi-language-nodejs          the Node.js language host, built from github.com/pulumi/pulumi/sdk/v3
#                                   at v3.68.0 (see LANGUAGE_HOST_SDK below)
#   pulumi-resource-pulumi-nodejs   the dynamic-provider shim, which ships at the root of the
#                                   @pulumi/pulumi npm package (node_modules must be installed). The CLI
#                                   looks for it as a plugin bundled beside its own executable (so it is
#                                   found under PULUMI_IGNORE_AMBIENT_PLUGINS too), so it is copied there;
#                                   it resolves @pulumi/pulumi from the project directory it runs in.
#
# Usage:
#   bash test/support/pulumi.sh path      build if needed; print the PATH entries (no trailing newline
#                                         issues: one line, colon-separated) to prepend to PATH
#   bash test/support/pulumi.sh version   build if needed; print the CLI's own version line
#   bash test/support/pulumi.sh env       build if needed; print `export` lines for PATH and the
#                                         engine's settings (eval "$(bash test/support/pulumi.sh env)")
#
# The cache lives outside the checkout, so every clone on this machine (CI clones afresh) reuses it:
# LAB_TOOLCHAIN_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/elastic-ml-lab. A cold build takes
# 3 to 12 minutes on 2 cores; a cached one returns at once.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
readonly PROJECT_DIR="$PWD"
readonly CACHE_ROOT="${LAB_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/elastic-ml-lab}"

# The proxy refuses the language host's own module path
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3). sdk/v3 v3.68.0 is the newest sdk
# that still carries nodejs/cmd/pulumi-language-nodejs; the host speaks the same gRPC protocol, and its
# build runs this project's programs (tsx via nodeargs, dynamic providers) under CLI 3.248.
readonly LANGUAGE_HOST_SDK="v3.68.0"

# pkg/v3's own go.mod replaces this module; a wrapper module must repeat the line or the build fails.
# (go.mod's "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e")
readonly CLIPBOARD_REPLACE="github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"

say() { printf 'pulumi.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

pulumi_version() {
  node -e '
    const lock = require(process.argv[1]);
    const entry = lock.packages && lock.packages["node_modules/@pulumi/pulumi"];
    if (!entry) { console.error("package-lock.json has no node_modules/@pulumi/pulumi entry"); process.exit(1); }
    console.log(entry.version);
  ' "$PROJECT_DIR/package-lock.json"
}

# build_module DIR MAIN_PACKAGE OUTPUT LDFLAGS REQUIRE...   (REQUIRE: "module@version")
build_module() {
  local dir="$1" main_package="$2" output="$3" ldflags="$4"
  shift 4
  rm -rf "$dir" && mkdir -p "$dir"
  (
    cd "$dir"
    go mod init lab.local/toolchain >/dev/null 2>&1
    # tools.go keeps the main package's module required through `go mod tidy`.
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$main_package" >tools.go
    local requirement
    for requirement in "$@"; do go mod edit -require="$requirement"; done
    go mod edit -replace="$CLIPBOARD_REPLACE"
    # The module downloads are hundreds of lines: keep them in a log, shown only on failure.
    if ! { go mod tidy && go build -trimpath -ldflags "$ldflags" -o "$output" "$main_package"; } >build.log 2>&1; then
      tail -n 40 build.log >&2
      die "building $main_package failed (full log: $dir/build.log)"
    fi
  )
}

ensure_toolchain() {
  command -v go >/dev/null || die "needs Go (go version 1.22 or later) to build the pulumi CLI"
  local version bin
  version="$(pulumi_version)"
  bin="$CACHE_ROOT/pulumi-v$version/bin"
  if [[ ! -x "$bin/pulumi" || ! -x "$bin/pulumi-language-nodejs" ]]; then
    mkdir -p "$CACHE_ROOT"
    # One build at a time per cache: a second caller waits for the first instead of racing it.
    exec 9>"$CACHE_ROOT/.lock"
    flock 9
    if [[ ! -x "$bin/pulumi" ]]; then
      say "building pulumi v$version from the Go module proxy (3 to 12 minutes the first time)"
      local started=$SECONDS
      build_module "$CACHE_ROOT/build-cli" "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi" "$bin/pulumi.partial" \
        "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
        "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
      mv "$bin/pulumi.partial" "$bin/pulumi"
      say "built pulumi in $((SECONDS - started)) s"
    fi
    if [[ ! -x "$bin/pulumi-language-nodejs" ]]; then
      say "building pulumi-language-nodejs from sdk/v3 $LANGUAGE_HOST_SDK"
      build_module "$CACHE_ROOT/build-language-host" \
        "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs" "$bin/pulumi-language-nodejs.partial" \
        "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGUAGE_HOST_SDK" \
        "github.com/pulumi/pulumi/sdk/v3@$LANGUAGE_HOST_SDK"
      mv "$bin/pulumi-language-nodejs.partial" "$bin/pulumi-language-nodejs"
    fi
    rm -rf "$CACHE_ROOT/build-cli" "$CACHE_ROOT/build-language-host"
    flock -u 9
  fi
  local shim="$PROJECT_DIR/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  [[ -x "$shim" ]] || die "no $shim: run npm ci first"
  cmp -s "$shim" "$bin/pulumi-resource-pulumi-nodejs" || install -m 755 "$shim" "$bin/pulumi-resource-pulumi-nodejs"
  TOOLCHAIN_PATH="$bin"
}

case "${1:-path}" in
  path)
    ensure_toolchain
    echo "$TOOLCHAIN_PATH"
    ;;
  version)
    ensure_toolchain
    PATH="$TOOLCHAIN_PATH:$PATH" PULUMI_SKIP_UPDATE_CHECK=1 pulumi version
    ;;
  env)
    ensure_toolchain
    printf 'export PATH=%q\n' "$TOOLCHAIN_PATH:$PATH"
    echo "export PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_IGNORE_AMBIENT_PLUGINS=true"
    ;;
  *)
    die "unknown command '$1': use path, version or env"
    ;;
esac
