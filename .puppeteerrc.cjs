// Bookbinder drives a system Chromium (Debian's `chromium`); puppeteer's own browser download
// cannot work on machines without general internet access, so it is always skipped.
module.exports = { skipDownload: true };
