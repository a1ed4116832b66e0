/** The words of a till's poster, in English and Chinese (docs/stores-and-tills.md). */
export const posterLanguages = ["en", "zh"] as const;
export type PosterLanguage = (typeof posterLanguages)[number];

export interface PosterTexts {
  title: string;
  steps: string[];
  footer: string;
}

export const posterTexts: Readonly<Record<PosterLanguage, PosterTexts>> = {
  en: {
    title: "Scan with coffer to pay",
    steps: ["Open the coffer wallet and tap Scan.", "Point it at this code, type the amount and confirm."],
    footer: "Show the cashier your paid screen.",
  },
  zh: {
    title: "用 coffer 扫码付款",
    steps: ["打开 coffer 钱包，点“扫码”。", "对准此码，输入金额并确认付款。"],
    footer: "付款成功后请向收银员出示付款页面。",
  },
};
