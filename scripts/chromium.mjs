// How every tool here launches Chromium: Debian's own build (never a downloaded browser), headless
// in a container without a user namespace (--no-sandbox), with nothing phoning home. Used by the
// browser tests (web-test-runner.config.mjs), the end-to-end test, the bundle benchmark and
// scripts/screenshot.mjs; the options suit both playwright-core and puppeteer launchers.
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
