import { defineMessages, usePageMessages } from "./i18n";

/**
 * The date pickers' own texts, carried by their lazily loaded chunk. React Aria words the rest itself in the same
 * language: the calendar button, the start and end fields, each segment, the month buttons and validation errors.
 */
const en = {
  "date.clear": "Clear {label}",
};

const zhCN: { [K in keyof typeof en]: string } = {
  "date.clear": "清除{label}",
};

const messages = defineMessages(en, zhCN);

export const useDatePickerT = () => usePageMessages(messages);
