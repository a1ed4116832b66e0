/**
 * A coarse summary of a User-Agent header, enough for a person to recognise their device ("iPhone · Safari"), and
 * all that is kept of it with a device or a sign-in.
 */
const platforms: [RegExp, string][] = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/Macintosh|Mac OS X/, "Mac"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

const browsers: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/MicroMessenger\//, "WeChat"],
  [/AlipayClient\//, "Alipay"],
  [/Firefox\//, "Firefox"],
  [/Chrome\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/^curl\//, "curl"],
  [/node|undici|axios|python/i, "a program"],
];

export const unknownAgent = "Unknown device";

export function summarizeAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return unknownAgent;
  const platform = platforms.find(([pattern]) => pattern.test(userAgent))?.[1];
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1];
  const parts = [platform, browser].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(" · ") : unknownAgent;
}
