// Texts of the console's "dashboard" area (zh-CN first; en keeps the same keys).
import { defineCatalog } from '../define.ts';

export default defineCatalog(
  {
    title: '概览',
    balance: {
      available: '可用余额',
      recharge: '去充值',
      held: '冻结金额',
      heldHelp: '已发送、等待结算的短信暂时冻结的金额',
    },
    contract: {
      package: '套餐剩余',
      parts: '{{n}} 条',
      noPackage: '无套餐',
      packageOf: '已用 {{used}} / 共 {{total}} 条',
      end: '合同到期日',
      none: '暂无合同',
      number: '合同编号：{{number}}',
    },
    today: {
      title: '今日发送',
      accepted: '提交',
      submitted: '已发出',
      delivered: '发送成功',
      failed: '发送失败',
      pending: '等待回执',
      amount: '今日费用',
    },
    live: { on: '实时更新中', connecting: '正在连接…' },
    chart: {
      title: '回执趋势（近 60 分钟，每分钟）',
      delivered: '成功',
      failed: '失败',
      summary: '近 {{minutes}} 分钟回执：成功 {{delivered}} 条，失败 {{failed}} 条',
    },
  },
  {
    title: 'Dashboard',
    balance: {
      available: 'Available balance',
      recharge: 'Recharge',
      held: 'Held amount',
      heldHelp: 'Reserved for messages sent and not yet settled',
    },
    contract: {
      package: 'Package left',
      parts: '{{n}} parts',
      noPackage: 'No package',
      packageOf: '{{used}} of {{total}} parts used',
      end: 'Contract ends',
      none: 'No contract',
      number: 'Contract no. {{number}}',
    },
    today: {
      title: 'Today',
      accepted: 'Accepted',
      submitted: 'Sent',
      delivered: 'Delivered',
      failed: 'Failed',
      pending: 'Pending',
      amount: 'Cost today',
    },
    live: { on: 'Live', connecting: 'Connecting…' },
    chart: {
      title: 'Receipts per minute (last 60 minutes)',
      delivered: 'Delivered',
      failed: 'Failed',
      summary:
        'Receipts in the last {{minutes}} minutes: {{delivered}} delivered, {{failed}} failed',
    },
  },
);
