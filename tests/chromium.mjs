// Headless Chromium (Debian's) as every browser test here launches it, with Playwright:
// the flags keep it off the network and within this machine's sandbox and /dev/shm.
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"];

/** @param {{ launch: Function }} launcher  playwright-core's `chromium` */
export function launchChromium(launcher) {
  return launcher.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
}
