/** The modules web/help-articles.ts makes from help/<locale>/*.md at build time. */
declare module "virtual:coffer-help/titles" {
  const titles: Record<"en" | "zh-CN", Record<string, string>>;
  export default titles;
}
declare module "virtual:coffer-help/en" {
  const articles: import("./model").HelpArticle[];
  export default articles;
}
declare module "virtual:coffer-help/zh-CN" {
  const articles: import("./model").HelpArticle[];
  export default articles;
}
