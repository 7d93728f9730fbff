// Texts of the console's "monitor" area (zh-CN first; en keeps the same keys).
import { defineCatalog } from '../define.ts';

export default defineCatalog(
  {
    title: '实时监控',
    state: { open: '实时连接中', connecting: '正在连接…', reconnecting: '连接中断，正在重连…' },
    listTitle: '状态与回执（最新在上，最多显示 200 条）',
    filter: { status: '按状态筛选', number: '号码包含' },
    pause: '暂停',
    resume: '继续（已缓存 {{n}} 条）',
    pauseHelp: '暂停滚动，新到的回执先缓存',
    resumeHelp: '把缓存的回执放到列表顶部并继续',
    buffered: '已暂停：缓存了 {{n}} 条新状态，点击“继续”显示',
    clear: '清空',
    empty: '等待新的发送状态和回执…',
    col: {
      time: '时间',
      to: '手机号码',
      status: '状态',
      message: '短信 ID',
      parts: '条数',
      error: '失败原因',
    },
  },
  {
    title: 'Live monitor',
    state: {
      open: 'Live',
      connecting: 'Connecting…',
      reconnecting: 'Connection lost, reconnecting…',
    },
    listTitle: 'Statuses and receipts (newest first, up to 200 shown)',
    filter: { status: 'Filter by status', number: 'Number contains' },
    pause: 'Pause',
    resume: 'Resume ({{n}} buffered)',
    pauseHelp: 'Stop the list moving; new receipts are kept aside',
    resumeHelp: 'Put the kept receipts on top and go on',
    buffered: 'Paused: {{n}} new statuses kept; press “Resume” to show them',
    clear: 'Clear',
    empty: 'Waiting for statuses and receipts…',
    col: {
      time: 'Time',
      to: 'Number',
      status: 'Status',
      message: 'Message ID',
      parts: 'Parts',
      error: 'Failure',
    },
  },
);
