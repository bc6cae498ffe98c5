// The console's words for what it shows, Chinese first: outcomes, ticket and window states, the
// actions, and what an error code means when the server gave no Chinese of its own.

export var OUTCOMES = {
  accepted: { zh: "受理", en: "Accepted" },
  notice: { zh: "一次性告知", en: "Notice" },
  refused: { zh: "不予受理", en: "Refused" },
  concluded: { zh: "当场办结", en: "Concluded" },
  consulted: { zh: "咨询", en: "Consulted" },
  received: { zh: "收件", en: "Received for review" },
  done: { zh: "未标注结果", en: "No outcome" },
  no_show: { zh: "未到", en: "No-show" }
};
export var OUTCOME_HELP = {
  accepted: ["生成案件编号，计算承诺办结日期，在本窗口打印受理单（含进度查询二维码）。",
             "Opens a case with its number and promised date; prints the acceptance slip with a progress QR code."],
  notice: ["未勾选的材料即为需补正材料，一次性列入告知书并打印。",
           "Every unchecked material goes on the printed one-time notice."],
  refused: ["打印不予受理决定书，载明申请行政复议、提起行政诉讼的权利和期限。理由必填。",
            "Prints the decision with the right to administrative review or lawsuit. A reason is required."],
  concluded: ["当场办结：生成案件（办结日期为今天），打印受理单。",
              "Done on the spot: a case concluded today, and its slip printed."],
  consulted: ["仅咨询，不生成案件。", "Consultation only; no case is opened."],
  received: ["收下材料审查是否齐全：生成案件，5个工作日内须答复受理或一次性告知，打印收件凭证。",
             "Materials taken in for a completeness review: a case answered within 5 working days "
             + "(accepted or a notice); prints the receipt."]
};
export var STATUS = {
  waiting: ["等候中", "Waiting"], called: ["已叫号·待到达", "Called"], serving: ["办理中", "Serving"],
  suspended: ["已挂起", "Suspended"], done: ["已办结", "Done"], no_show: ["未到", "No-show"],
  cancelled: ["已作废", "Cancelled"]
};
// A case's status words come from the server (case.status_label), the one place they are written.
export var WSTATUS = { open: ["服务中", "Open"], paused: ["暂停", "Paused"], closed: ["未签到", "Closed"] };
export var CODE_ZH = {
  window_state: "窗口状态不允许此操作", illegal_transition: "该号码当前状态不允许此操作",
  not_found: "未找到", forbidden: "无权操作", unauthorized: "登录已失效", invalid_body: "填写有误",
  invalid: "填写有误", malformed_json: "请求格式错误", too_many_attempts: "尝试次数过多，请稍后再试",
  not_issuing: "当前不可取号", internal_error: "服务器内部错误", network: "无法连接服务器，请检查网络"
};

export var CASE_OUTCOMES = ["accepted", "notice", "refused", "concluded", "received"];

export var ACTS = {
  next: { zh: "叫号", en: "Call next" }, recall: { zh: "重呼", en: "Recall" },
  start: { zh: "到达办理", en: "Visitor arrived" }, noshow: { zh: "未到", en: "No-show" },
  finish: { zh: "办结", en: "Finish" }, transfer: { zh: "转移", en: "Transfer" },
  suspend: { zh: "挂起", en: "Suspend" }, number: { zh: "特呼", en: "Call a number" },
  pause: { zh: "暂停", en: "Pause" }
};
