// Texts of the console's "inbound" area: the inbox of replies (上行短信) and the reply addresses
// (zh-CN first; en keeps the same keys).
import { defineCatalog } from '../define.ts';

export default defineCatalog(
  {
    title: '上行短信',
    intro: '用户回复的短信（上行）按扩展码、关键字或最近发送记录归属到您的账户，最新的在前。',
    filters: {
      from: '发送号码',
      fromPlaceholder: '用户手机号',
      to: '接收地址',
      toPlaceholder: '服务号码 + 扩展码',
      since: '起始时间',
    },
    columns: {
      from: '发送号码',
      to: '接收地址',
      text: '短信内容',
      routedBy: '归属方式',
      parts: '分段',
      receivedAt: '接收时间',
      actions: '操作',
    },
    routedBy: {
      extension: '扩展码',
      keyword: '关键字',
      recent: '最近发送',
      none: '—',
    },
    routedByHelp: {
      extension: '用户回复的地址带有您的扩展码',
      keyword: '短信以您的关键字开头',
      recent: '7 天内最后向该号码发送短信的是您',
    },
    partial: '部分分段未收到',
    partsOf: '{{received}}/{{total}}',
    detail: {
      title: '上行短信详情',
      id: '编号',
      subCode: '子扩展码',
      keyword: '关键字',
      parts: '分段（已收/总数）',
    },
    settings: {
      title: '上行设置',
      extension: '扩展码',
      replyAddresses: '回复地址',
      keywords: '关键字',
      noKeywords: '未设置关键字',
      note: '扩展码与关键字由平台运营人员分配，如需调整请联系平台。用户回复以下地址的短信都会进入本收件箱。',
    },
  },
  {
    title: 'Inbound messages',
    intro:
      'Replies from recipients, routed to your account by extension code, keyword or the last sender to that number; newest first.',
    filters: {
      from: 'From',
      fromPlaceholder: 'The sender’s number',
      to: 'To',
      toPlaceholder: 'Service number + extension',
      since: 'Since',
    },
    columns: {
      from: 'From',
      to: 'To',
      text: 'Text',
      routedBy: 'Routed by',
      parts: 'Parts',
      receivedAt: 'Received',
      actions: 'Actions',
    },
    routedBy: {
      extension: 'Extension code',
      keyword: 'Keyword',
      recent: 'Recent send',
      none: '—',
    },
    routedByHelp: {
      extension: 'The address replied to carries your extension code',
      keyword: 'The text starts with your keyword',
      recent: 'You were the last to send to this number (7 days)',
    },
    partial: 'Some parts never arrived',
    partsOf: '{{received}}/{{total}}',
    detail: {
      title: 'Inbound message',
      id: 'ID',
      subCode: 'Sub-code',
      keyword: 'Keyword',
      parts: 'Parts (received/total)',
    },
    settings: {
      title: 'Reply settings',
      extension: 'Extension code',
      replyAddresses: 'Reply addresses',
      keywords: 'Keywords',
      noKeywords: 'No keywords',
      note: 'The platform’s operators assign extension codes and keywords; contact them to change one. Replies to any of these addresses reach this inbox.',
    },
  },
);
