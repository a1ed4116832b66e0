import { defineMessages } from "../i18n";

/** The help centre's own texts: they come with its lazily loaded chunk, not with any area's first load. */
const en = {
  "help.title": "Help centre",
  "help.intro": "Answers in plain words: paying with coffer, keeping your wallet safe, and running a shop.",
  "help.search": "Search help",
  "help.searchHint": "For example: payment code, refund, limits.",
  "help.found": "{count, plural, one {# article found.} other {# articles found.}}",
  "help.noResults": "No article matches “{query}”. Try other words.",
  "help.forPayers": "Paying with coffer",
  "help.forMerchants": "For shops",
  "help.results": "Search results",
  "help.allArticles": "All help articles",
  "help.close": "Close help",
  "help.loading": "Loading help…",
  "help.loadFailed": "Help could not be loaded. Check your connection and try again.",
  "help.retry": "Try again",
  "help.notFound": "There is no such article.",
};

const zhCN: { [K in keyof typeof en]: string } = {
  "help.title": "帮助中心",
  "help.intro": "用通俗的话解答：如何用 coffer 付款、如何保护钱包安全，以及如何经营店铺。",
  "help.search": "搜索帮助",
  "help.searchHint": "例如：付款码、退款、限额。",
  "help.found": "{count, plural, other {找到 # 篇文章。}}",
  "help.noResults": "没有与“{query}”相关的文章，请换个说法试试。",
  "help.forPayers": "使用 coffer 付款",
  "help.forMerchants": "商家指南",
  "help.results": "搜索结果",
  "help.allArticles": "全部帮助文章",
  "help.close": "关闭帮助",
  "help.loading": "正在加载帮助…",
  "help.loadFailed": "无法加载帮助。请检查网络连接后重试。",
  "help.retry": "重试",
  "help.notFound": "没有这篇文章。",
};

export const helpMessages = defineMessages(en, zhCN);
