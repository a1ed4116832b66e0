/**
 * What the journey reads and clicks on the pages, in each language it runs in: the texts of web/src/*\/messages.ts
 * (the console, the operator console, the wallet app and the checkout page), written out so the test fails when a
 * page stops saying them. Money is formatted as the pages format it (Intl for the locale).
 */
export type JourneyLocale = "en-US" | "zh-CN";

export interface JourneyTexts {
  money(minor: string): string;
  console: {
    loginTitle: string;
    toSignup: string;
    businessName: string;
    yourName: string;
    email: string;
    password: string;
    createAccount: string;
    checkMailTitle: string;
    openMailbox: string;
    mailboxTitle: string;
    mailboxRecipient: string;
    mailboxFilter: string;
    verified(email: string): string;
    continueToLogin: string;
    signIn: string;
    testModeNote: string;
    nav: string;
    navSecurity: string;
    navVerification: string;
    navWebhooks: string;
    navApiKeys: string;
    navPayments: string;
    navGoLive: string;
    totpSetUp: string;
    totpQrAlt: string;
    totpSecret: string;
    totpCode: string;
    totpConfirm: string;
    totpOn: string;
    kyb: Record<
      | "legalName"
      | "registrationNumber"
      | "country"
      | "category"
      | "website"
      | "line1"
      | "city"
      | "representativeName"
      | "idNumber"
      | "holderName"
      | "bankName"
      | "accountNumber"
      | "save"
      | "saved"
      | "documentType"
      | "file"
      | "upload"
      | "documents"
      | "docLicence"
      | "docId"
      | "submit"
      | "submitted"
      | "approved",
      string
    >;
    webhookUrl: string;
    addEndpoint: string;
    signingSecret: string;
    revealKey: RegExp;
    signUpKey: string;
    openPayment(id: string): string;
    refundAmount: string;
    refundSubmit: string;
    refundCreated(amount: string): string;
    timeline: string;
    refundCreatedEvent: string;
    goLiveTitle: string;
    runProbe: string;
    probePassed: string;
    goLiveReady: string;
    probeItem: string;
    liveMode: string;
    liveKeysIntro: string;
    keyType: string;
    keyName: string;
    createLiveKey: string;
    newKey: string;
  };
  ops: {
    loginTitle: string;
    email: string;
    password: string;
    signIn: string;
    newPassword: string;
    queueTitle: string;
    openApplication(name: string): string;
    approve: string;
    approved: string;
  };
  wallet: {
    loginTitle: string;
    createWallet: string;
    phone: string;
    phoneNumber: string;
    yourName: string;
    password: string;
    sendCode: string;
    enterCode: string;
    fromOutbox: string;
    codeFilled: string;
    sixDigitCode: string;
    verifyAndOpen: string;
    hello(name: string): string;
    noMoney: string;
    verifyIdentity: string;
    fullName: string;
    nationalId: string;
    birth: string;
    submit: string;
    identityApproved: string;
    nav: string;
    navHome: string;
    navHistory: string;
    topUp: string;
    sandboxHint: string;
    holder: string;
    bankCode: string;
    accountNumber: string;
    currency: string;
    linkBank: string;
    bankLinked: string;
    amount: string;
    topUpSent(amount: string): string;
    topUpArrived(amount: string): string;
    history: string;
    paymentTo(merchant: string): string;
    refunded(amount: string): string;
    succeeded: string;
  };
  checkout: {
    contact: string;
    password: string;
    pay(amount: string): string;
    paid: string;
    paidBody(amount: string, merchant: string): string;
  };
}

const usd = (locale: JourneyLocale) => (minor: string) =>
  new Intl.NumberFormat(locale, { style: "currency", currency: "USD" }).format(Number(minor) / 100);

const en: JourneyTexts = {
  money: usd("en-US"),
  console: {
    loginTitle: "Sign in to your console",
    toSignup: "Create an account",
    businessName: "Business name",
    yourName: "Your name",
    email: "Email",
    password: "Password",
    createAccount: "Create account",
    checkMailTitle: "Check your email",
    openMailbox: "Open the dev mailbox",
    mailboxTitle: "Dev mailbox",
    mailboxRecipient: "Recipient",
    mailboxFilter: "Show mail to this address",
    verified: (email) => `${email} is verified. You can sign in now.`,
    continueToLogin: "Continue to sign in",
    signIn: "Sign in",
    testModeNote: "Test mode",
    nav: "Console",
    navSecurity: "Security",
    navVerification: "Business verification",
    navWebhooks: "Webhooks",
    navApiKeys: "API keys",
    navPayments: "Payments",
    navGoLive: "Go-live checklist",
    totpSetUp: "Set up authenticator app",
    totpQrAlt: "QR code for your authenticator app",
    totpSecret: "Authenticator secret",
    totpCode: "6-digit code",
    totpConfirm: "Turn on two-factor",
    totpOn: "Two-factor authentication is on.",
    kyb: {
      legalName: "Legal name",
      registrationNumber: "Registration number",
      country: "Country",
      category: "Business category",
      website: "Website",
      line1: "Address line 1",
      city: "City",
      representativeName: "Representative's name",
      idNumber: "Representative's ID number",
      holderName: "Account holder",
      bankName: "Bank name",
      accountNumber: "Account number",
      save: "Save details",
      saved: "Saved.",
      documentType: "Document type",
      file: "File",
      upload: "Upload document",
      documents: "Documents",
      docLicence: "Business licence",
      docId: "Representative's ID",
      submit: "Submit for review",
      submitted: "Submitted. Our reviewers will look at it soon.",
      approved: "Approved. You can go live.",
    },
    webhookUrl: "Endpoint URL",
    addEndpoint: "Add endpoint",
    signingSecret: "Signing secret",
    revealKey: /^Reveal key /,
    signUpKey: "Your sign-up test key",
    openPayment: (id) => `Open payment ${id}`,
    refundAmount: "Refund amount (USD)",
    refundSubmit: "Refund payment",
    refundCreated: (amount) => `Refund of ${amount} created.`,
    timeline: "Timeline",
    refundCreatedEvent: "Refund created",
    goLiveTitle: "Go-live checklist",
    runProbe: "Run probe",
    probePassed: "Probe passed",
    goLiveReady: "Everything passes. Switch to live mode and create your live keys.",
    probeItem: "Your webhook handler passed the probe",
    liveMode: "Live mode",
    liveKeysIntro: "Live keys (sk_live_…) move real money. Keep them secret.",
    keyType: "Type",
    keyName: "Name",
    createLiveKey: "Create live key",
    newKey: "Your new key",
  },
  ops: {
    loginTitle: "Operator sign-in",
    email: "Email",
    password: "Password",
    signIn: "Sign in",
    newPassword: "New password",
    queueTitle: "KYB review queue",
    openApplication: (name) => `Open application of ${name}`,
    approve: "Approve",
    approved: "The application is now: Approved.",
  },
  wallet: {
    loginTitle: "Log in to your wallet",
    createWallet: "Create a wallet",
    phone: "Phone",
    phoneNumber: "Phone number",
    yourName: "Your name (optional)",
    password: "Password",
    sendCode: "Send me a code",
    enterCode: "Enter your code",
    fromOutbox: "Get the code from the dev SMS outbox",
    codeFilled: "Code filled in from the dev outbox.",
    sixDigitCode: "Six-digit code",
    verifyAndOpen: "Verify and open my wallet",
    hello: (name) => `Hello, ${name}`,
    noMoney: "No money yet",
    verifyIdentity: "Verify identity",
    fullName: "Full legal name",
    nationalId: "National id number",
    birth: "Date of birth",
    submit: "Submit",
    identityApproved: "Verified: your wallet's identity tier went up.",
    nav: "Wallet",
    navHome: "Home",
    navHistory: "History",
    topUp: "Top up",
    sandboxHint: "Sandbox bank: any account number works.",
    holder: "Account holder name",
    bankCode: "Bank code",
    accountNumber: "Account number or IBAN",
    currency: "Currency",
    linkBank: "Link bank account",
    bankLinked: "Bank account linked.",
    amount: "Amount (USD)",
    topUpSent: (amount) => `Top-up of ${amount} sent to your bank.`,
    topUpArrived: (amount) => `Top-up of ${amount} arrived in your wallet.`,
    history: "History",
    paymentTo: (merchant) => `Payment to ${merchant}`,
    refunded: (amount) => `Refunded ${amount}`,
    succeeded: "Succeeded",
  },
  checkout: {
    contact: "Email or phone number",
    password: "Password",
    pay: (amount) => `Pay ${amount}`,
    paid: "Paid. Thank you!",
    paidBody: (amount, merchant) => `${amount} was paid to ${merchant}.`,
  },
};

const zhCN: JourneyTexts = {
  money: usd("zh-CN"),
  console: {
    loginTitle: "登录商户控制台",
    toSignup: "创建账户",
    businessName: "商户名称",
    yourName: "您的姓名",
    email: "邮箱",
    password: "密码",
    createAccount: "创建账户",
    checkMailTitle: "请查收邮件",
    openMailbox: "打开开发邮箱",
    mailboxTitle: "开发邮箱",
    mailboxRecipient: "收件人",
    mailboxFilter: "只看发给此地址的邮件",
    verified: (email) => `${email} 已验证，现在可以登录了。`,
    continueToLogin: "前往登录",
    signIn: "登录",
    testModeNote: "测试模式",
    nav: "控制台",
    navSecurity: "安全设置",
    navVerification: "企业认证",
    navWebhooks: "Webhook",
    navApiKeys: "API 密钥",
    navPayments: "支付",
    navGoLive: "上线清单",
    totpSetUp: "设置身份验证器应用",
    totpQrAlt: "身份验证器应用的二维码",
    totpSecret: "身份验证器密钥",
    totpCode: "6 位验证码",
    totpConfirm: "开启两步验证",
    totpOn: "两步验证已开启。",
    kyb: {
      legalName: "企业法定名称",
      registrationNumber: "注册号（统一社会信用代码）",
      country: "国家/地区",
      category: "经营类别",
      website: "网站",
      line1: "地址第一行",
      city: "城市",
      representativeName: "法定代表人姓名",
      idNumber: "法定代表人证件号码",
      holderName: "开户名",
      bankName: "开户银行",
      accountNumber: "银行账号",
      save: "保存信息",
      saved: "已保存。",
      documentType: "材料类型",
      file: "文件",
      upload: "上传材料",
      documents: "材料",
      docLicence: "营业执照",
      docId: "法定代表人身份证件",
      submit: "提交审核",
      submitted: "已提交，审核人员将尽快处理。",
      approved: "已通过，您可以上线了。",
    },
    webhookUrl: "端点 URL",
    addEndpoint: "添加端点",
    signingSecret: "签名密钥",
    revealKey: /^显示密钥 /,
    signUpKey: "注册时生成的测试密钥",
    openPayment: (id) => `打开支付 ${id}`,
    refundAmount: "退款金额（USD）",
    refundSubmit: "退款",
    refundCreated: (amount) => `已创建 ${amount} 的退款。`,
    timeline: "时间线",
    refundCreatedEvent: "退款已创建",
    goLiveTitle: "上线清单",
    runProbe: "运行检测",
    probePassed: "检测通过",
    goLiveReady: "全部通过。切换到正式模式并创建正式密钥吧。",
    probeItem: "您的 Webhook 处理程序已通过检测",
    liveMode: "正式模式",
    liveKeysIntro: "正式密钥（sk_live_…）会动用真实资金，请妥善保密。",
    keyType: "类型",
    keyName: "名称",
    createLiveKey: "创建正式密钥",
    newKey: "您的新密钥",
  },
  ops: {
    loginTitle: "运营人员登录",
    email: "邮箱",
    password: "密码",
    signIn: "登录",
    newPassword: "新密码",
    queueTitle: "商户审核队列",
    openApplication: (name) => `打开 ${name} 的申请`,
    approve: "通过",
    approved: "申请的当前状态：已通过。",
  },
  wallet: {
    loginTitle: "登录钱包",
    createWallet: "创建钱包",
    phone: "手机",
    phoneNumber: "手机号",
    yourName: "您的名字（可选）",
    password: "密码",
    sendCode: "发送验证码",
    enterCode: "输入验证码",
    fromOutbox: "从开发短信发件箱获取验证码",
    codeFilled: "已从开发发件箱填入验证码。",
    sixDigitCode: "六位验证码",
    verifyAndOpen: "验证并打开钱包",
    hello: (name) => `您好，${name}`,
    noMoney: "还没有余额",
    verifyIdentity: "身份认证",
    fullName: "法定全名",
    nationalId: "身份证号",
    birth: "出生日期",
    submit: "提交",
    identityApproved: "认证通过：您的钱包身份等级已提升。",
    nav: "钱包",
    navHome: "首页",
    navHistory: "账单",
    topUp: "充值",
    sandboxHint: "沙盒银行：任意账号均可使用。",
    holder: "户名",
    bankCode: "银行代码",
    accountNumber: "账号或 IBAN",
    currency: "币种",
    linkBank: "绑定银行账户",
    bankLinked: "银行账户已绑定。",
    amount: "金额 (USD)",
    topUpSent: (amount) => `已向银行发起 ${amount} 的充值，银行确认后到账。`,
    topUpArrived: (amount) => `${amount} 的充值已到账。`,
    history: "账单",
    paymentTo: (merchant) => `向${merchant}付款`,
    refunded: (amount) => `已退款 ${amount}`,
    succeeded: "成功",
  },
  checkout: {
    contact: "邮箱或手机号",
    password: "密码",
    pay: (amount) => `付款 ${amount}`,
    paid: "付款成功，谢谢！",
    paidBody: (amount, merchant) => `已向${merchant}支付 ${amount}。`,
  },
};

export const journeyTexts: Record<JourneyLocale, JourneyTexts> = { "en-US": en, "zh-CN": zhCN };
