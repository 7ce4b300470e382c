#!/usr/bin/env bash
# bookbinder setup: gets what the build and the tests need, installs the npm dependencies,
# compiles, and builds the sample book in content/ into output/.
#   - Chromium for the PDF (Debian's `chromium`; puppeteer's own download is never used);
#   - a math font (fonts-dejavu-extra) for the formulas in the PDF;
#   - for the tests: Java with Debian's epubcheck, poppler-utils (pdftotext, pdfinfo), qpdf,
#     procps (ps, pgrep), redis-server (the queue worker's tests), Ruby's kramdown with its GFM parser (the reference renderer) and calibre
#     (a real reading system for the EPUB).
# As root on Debian/Ubuntu the missing packages are installed with apt-get; otherwise it says
# what to install. Set BOOKBINDER_SKIP_APT=1 to never call apt-get.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf 'setup: %s\n' "$*" >&2; }

find_chromium() {
  if [ -n "${PUPPETEER_EXECUTABLE_PATH:-}" ] && [ -x "${PUPPETEER_EXECUTABLE_PATH}" ]; then return 0; fi
  for p in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome /usr/bin/google-chrome-stable; do
    [ -x "$p" ] && return 0
  done
  return 1
}

missing=()
find_chromium || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ -f /usr/share/java/epubcheck.jar ] || missing+=(epubcheck)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
# A font with an OpenType MATH table, so Chromium typesets the book's MathML formulas well.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf ] || missing+=(fonts-dejavu-extra)
# The differential tests render our fixtures and the corpora with real kramdown (GFM parser).
ruby -e 'require "kramdown"; require "kramdown-parser-gfm"' >/dev/null 2>&1 || missing+=(ruby-kramdown-parser-gfm)
# The EPUB is opened in a real reading system: calibre's ebook-convert (AZW3) and ebook-meta.
command -v ebook-convert >/dev/null 2>&1 || missing+=(calibre)
# The lifecycle tests count Chromium processes with ps and pgrep.
{ command -v pgrep && command -v ps; } >/dev/null 2>&1 || missing+=(procps)
# The worker tests run BullMQ on a private redis-server (loopback, free port, temp folder).
[ -x /usr/bin/redis-server ] || missing+=(redis-server)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ -z "${BOOKBINDER_SKIP_APT:-}" ]; then
    say "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
  else
    say "missing: ${missing[*]}"
    say "install them with your package manager (Debian/Ubuntu: sudo apt-get install ${missing[*]})"
    if ! find_chromium; then
      say "no Chromium: the PDF cannot be built. Install chromium, or set PUPPETEER_EXECUTABLE_PATH to a Chrome/Chromium binary."
      exit 1
    fi
  fi
fi

say "installing npm dependencies"
export PUPPETEER_SKIP_DOWNLOAD=1
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

say "building the sample book"
node bin/bookbinder.js build content -o output
