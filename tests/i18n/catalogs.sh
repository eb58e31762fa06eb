#!/bin/sh
# catalogs.sh: every string the sources mark for translation is in
# data/locale/mingle.pot and translated in every data/locale/<lang>.po
# (English included), and every catalog compiles. When it fails after a
# string was added or changed, refresh them:
#   sh tests/i18n/catalogs.sh --update
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
find src -name '*.c' | LC_ALL=C sort > "$tmp/sources"
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
  --keyword=mg_ngettext:1,2 --add-comments=TRANSLATORS --package-name=mingle \
  --package-version=0.1.0 --msgid-bugs-address=circles@example.org \
  --no-location --sort-output -o "$tmp/mingle.pot" -f "$tmp/sources"
if [ "${1:-}" = "--update" ]; then
  cp "$tmp/mingle.pot" data/locale/mingle.pot
  msgmerge --quiet --update --backup=none --no-location --no-fuzzy-matching data/locale/en.po data/locale/mingle.pot
  # English is the source language: its translations are the msgids (no
  # fuzzy matching: a guess from a similar string would be wrong English).
  msgen --no-location -o data/locale/en.po data/locale/en.po
  exit 0
fi
status=0
# The template is what the sources mark, to the letter (but its date).
grep -v '^"POT-Creation-Date' data/locale/mingle.pot > "$tmp/old"
grep -v '^"POT-Creation-Date' "$tmp/mingle.pot" > "$tmp/new"
diff -u "$tmp/old" "$tmp/new" || {
  echo "data/locale/mingle.pot is not what the sources mark: run sh tests/i18n/catalogs.sh --update" >&2
  status=1
}
for po in data/locale/*.po; do
  msgfmt --check -o /dev/null "$po" || status=1
done
# msgcmp: every message of the template has a translation in English.
msgcmp data/locale/en.po "$tmp/mingle.pot" || {
  echo "data/locale/en.po is not complete" >&2
  status=1
}
n=$(grep -c '^msgid ' "$tmp/mingle.pot")
echo "catalogs: $n strings marked for translation"
exit $status
