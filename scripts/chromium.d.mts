/** Chromium's executable (`CHROMIUM_PATH` or /usr/bin/chromium) and launch flags. */
export declare const chromiumLaunchOptions: {
  executablePath: string;
  args: string[];
};
