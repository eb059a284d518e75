#!/usr/bin/env bash
# Regenerates ext/*_arginfo.h from php-src-stubs/*.stub.php with PHP's own
# gen_stub.php, pointing it at Debian's php-parser instead of a download.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gen=$(ls /usr/lib/php/*/build/gen_stub.php | head -n1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$gen" "$work/gen_stub.php"
version=$(sed -n 's/.*\$version = "\([0-9.]*\)";.*/\1/p' "$gen" | head -n1)
mkdir -p "$work/PHP-Parser-$version/lib"
ln -s /usr/share/php/PhpParser "$work/PHP-Parser-$version/lib/PhpParser"
for stub in "$root"/php-src-stubs/*.stub.php; do
  name=$(basename "$stub" .stub.php)
  cp "$stub" "$work/$name.stub.php"
  php "$work/gen_stub.php" -f "$work/$name.stub.php" >/dev/null
  cp "$work/${name}_arginfo.h" "$root/ext/${name}_arginfo.h"
done
