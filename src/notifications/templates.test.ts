import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MessageTemplate, renderTemplate } from "./templates.js";

const template: MessageTemplate = {
  name: "test.link",
  subject: { en: "Verify", "zh-CN": "验证" },
  text: { en: "Hello {{name}},\n\nopen {{link}} to verify.", "zh-CN": "{{name}}，您好：\n\n打开 {{link}} 完成验证。" },
};

describe("message templates", () => {
  it("makes a link value clickable in the HTML part and leaves the text part plain", () => {
    const link = "https://pay.example.com/console/verify-email?token=abc&x=1";
    const rendered = renderTemplate(template, "en", { name: "Mei", link });
    assert.ok(rendered.text.includes(link));
    assert.ok(
      rendered.html.includes(
        '<a href="https://pay.example.com/console/verify-email?token=abc&amp;x=1">' +
          "https://pay.example.com/console/verify-email?token=abc&amp;x=1</a>",
      ),
      rendered.html,
    );
  });

  it("never turns other values into links or markup", () => {
    for (const value of [
      "javascript:alert(1)",
      '<a href="https://evil.example">x</a>',
      "https://a.example/\"onclick='x'",
    ]) {
      const rendered = renderTemplate(template, "en", { name: "Mei", link: value });
      assert.ok(!rendered.html.includes("<a "), `${value}: ${rendered.html}`);
    }
  });
});
